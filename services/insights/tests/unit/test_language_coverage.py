"""Language coverage: the bridge workers' languages per office from intake's tallies (never a staff id), and the
LanguageCoverage answer from view rows worked out by hand (threshold 5)."""
from __future__ import annotations

from typing import Any

from contracts.events.intake_office import BridgeWorkerJoined, OfficeLanguagesCounted
from services.insights.application.coverage import tables
from services.insights.application.policy import GroupedQuery
from services.insights.domain.office_languages import OfficeLanguages
from services.insights.domain.views import all_views
from services.insights.tests.unit.events import env, totals
from services.plumbing.projection.model import project

MARCH, APRIL = "2026-03", "2026-04"


def counted(office: str, **languages: int) -> OfficeLanguagesCounted:
    return OfficeLanguagesCounted(office_id=office, languages=languages)


def workers(found: dict) -> dict[tuple[str, str], int]:
    return {(dict(k)["office"], dict(k)["language"]): n for (k, _), n in found.items()}


def test_each_tally_moves_the_counts_by_its_difference_from_the_one_before() -> None:
    s = "office:kortrijk:huis"
    tallies = [env(s, counted("huis", ar=1, nl=1)), env(s, counted("huis", ar=1, nl=2, ti=1)),
               env(s, counted("huis", fr=1, nl=2, ti=1))]  # the Arabic speaker now speaks French instead
    assert workers(totals(OfficeLanguages(), tallies)) == {("huis", "fr"): 1, ("huis", "nl"): 2, ("huis", "ti"): 1}
    view = OfficeLanguages()
    case = view.evolve(view.evolve({}, tallies[0]), tallies[1])
    assert case == {"ol_tally": {"ar": 1, "nl": 2, "ti": 1}}
    assert sorted((d.key["language"], d.inc["workers"]) for d in view.project(tallies[2], case)) == [
        ("ar", -1), ("fr", 1)]  # nl and ti unchanged: no delta at all


def test_offices_and_municipalities_are_counted_apart() -> None:
    found = totals(OfficeLanguages(), [env("office:kortrijk:huis", counted("huis", ar=2)),
                                       env("office:kortrijk:west", counted("west", ar=1, ti=1)),
                                       env("office:brugge:huis", counted("huis", ps=1), tenant="brugge")])
    assert {(dict(k)["tenant"], dict(k)["office"], dict(k)["language"]): n for (k, _), n in found.items()} == {
        ("kortrijk", "huis", "ar"): 2, ("kortrijk", "west", "ar"): 1, ("kortrijk", "west", "ti"): 1,
        ("brugge", "huis", "ps"): 1}


def test_no_staff_id_reaches_a_view_or_the_office_streams_case() -> None:
    views, s = all_views(), "office:kortrijk:huis"
    stream = [env(s, BridgeWorkerJoined(office_id="huis", staff_id="staff-x7", languages=("ar", "nl"))),
              env(s, counted("huis", ar=1, nl=1))]
    case: Any = {}
    seen = []
    for e in stream:
        seen += [(d.view, dict(d.key), dict(d.inc), dict(d.facts)) for d in project(views, e, case)]
        case = views.evolve(case, e)
    assert seen == [("office_languages", {"tenant": "kortrijk", "office": "huis", "language": lang}, {"workers": 1}, {})
                    for lang in ("ar", "nl")]
    assert case == {"ol_tally": {"ar": 1, "nl": 1}} and "staff-x7" not in repr(seen)


def demand(month: str, **per_language: tuple[int, int]) -> list[dict[str, Any]]:
    """language_demand rows: language → (questions, interpreter_needed); `_` stands for the `*` row."""
    return [{"language": lang.replace("_", "*"), "month": month, "questions": q, "interpreter_needed": i}
            for lang, (q, i) in per_language.items()]


def asked(month: str, *cells: tuple[str, str, int]) -> list[dict[str, Any]]:
    return [{"office": o, "language": lang, "month": month, "questions": n} for o, lang, n in cells]


# March: Arabic 12 (7 at huis, 5 at west), Tigrinya 6 (4 at huis, 2 at west), Pashto 3 (huis); 21 questions.
SPOKEN = demand(MARCH, _=(21, 11), ar=(12, 2), ti=(6, 6), ps=(3, 3))
ASKED = asked(MARCH, ("huis", "ar", 7), ("west", "ar", 5), ("huis", "ti", 4), ("west", "ti", 2), ("huis", "ps", 3))
# Bridge workers: two speak Arabic at huis, three Dutch at huis, one Tigrinya at west. Services: four offer Dutch.
WORKERS = {("huis", "ar"): 2, ("huis", "nl"): 3, ("west", "ti"): 1}
SERVICES = {"nl": 4}


def answer(spoken: list = SPOKEN, asked_at: list = ASKED, services: dict = SERVICES, **q: str) -> dict[str, Any]:
    return tables(GroupedQuery(tenant="kortrijk", **q), spoken, asked_at, WORKERS, services, 5)


def by_language(result: dict[str, Any], measure: str) -> dict[str, int | None]:
    return {r["language"]: r[measure] for r in result["rows"]}


def test_questions_and_interpreters_are_hidden_as_language_demand_hides_them() -> None:
    result = answer()
    # Pashto 3 is below 5; alone hidden it would be 21 - 12 - 6, so Tigrinya (6, the smallest visible) goes too.
    assert by_language(result, "questions") == {"ar": 12, "ti": None, "ps": None}
    # Interpreter needed: Arabic 2 and Pashto 3 hidden, two in the column already.
    assert by_language(result, "interpreter_needed") == {"ar": None, "ti": 6, "ps": None}
    assert (result["total"]["questions"], result["total"]["interpreter_needed"]) == (21, 11)


def test_a_question_no_one_covers_has_no_worker_at_its_office_and_no_service_in_its_language() -> None:
    result = answer()
    # Arabic: huis has Arabic speakers, west has none → 5. Tigrinya: west has one, huis none → 4. Pashto: 3.
    # Tigrinya's and Pashto's questions are hidden, so are these (4 and 3 would be hidden anyway).
    assert by_language(result, "no_one_covers") == {"ar": 5, "ti": None, "ps": None}
    assert result["total"]["no_one_covers"] == 12
    assert result["offer"] == [
        {"language": "ar", "bridge_workers": 2, "offices": 1, "services": 0, "covered_nowhere": False},
        {"language": "ps", "bridge_workers": 0, "offices": 0, "services": 0, "covered_nowhere": True},
        {"language": "ti", "bridge_workers": 1, "offices": 1, "services": 0, "covered_nowhere": False}]
    covered = answer(services={"ar": 1, "nl": 4})  # a service in Arabic covers Arabic at every office
    assert by_language(covered, "no_one_covers")["ar"] == 0 and covered["offer"][0]["services"] == 1


def test_a_few_covered_questions_beside_many_uncovered_hide_the_uncovered_count() -> None:
    # Arabic 12: 3 at huis (covered), 9 at west (not): showing 9 beside 12 would tell that 3 were covered.
    spoken = demand(MARCH, _=(24, 0), ar=(12, 0), ti=(12, 0))
    asked_at = asked(MARCH, ("huis", "ar", 3), ("west", "ar", 9), ("west", "ti", 12))
    result = answer(spoken, asked_at)
    # Tigrinya at west is covered by its Tigrinya speaker: 0. Arabic 9 is hidden from the start; nothing else in its
    # column can hide (the 0 describes nobody), so the total 9 goes as well.
    assert by_language(result, "no_one_covers") == {"ar": None, "ti": 0}
    assert result["total"]["no_one_covers"] is None


def test_months_are_grouped_into_the_period_before_suppression() -> None:
    spoken = demand(MARCH, _=(3, 0), ar=(3, 0)) + demand(APRIL, _=(4, 1), ar=(4, 1))
    asked_at = asked(MARCH, ("west", "ar", 3)) + asked(APRIL, ("west", "ar", 4))
    by_month = answer(spoken, asked_at)
    assert [(r["period"], r["questions"], r["no_one_covers"]) for r in by_month["rows"]] == [
        (MARCH, None, None), (APRIL, None, None)]
    [year] = answer(spoken, asked_at, period="year")["rows"]
    assert (year["period"], year["questions"], year["no_one_covers"], year["interpreter_needed"]) == ("2026", 7, 7, None)
