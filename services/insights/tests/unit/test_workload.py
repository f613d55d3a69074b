"""The workload: questions per office and channel, and the times bridge workers went along with the time it took."""
from __future__ import annotations

from contracts.events.intake import ClientAccompanied, QuestionRegistered
from services.insights.application.queries import PeriodQuery, workload_by_channel
from services.insights.domain.workload import WorkloadByChannel
from services.insights.tests.unit.events import ViewDocuments, env, totals


def registered(q: str, office: str = "o1", channel: str = "whatsapp") -> QuestionRegistered:
    return QuestionRegistered(question_id=q, office_id=office, client_id="c", channel=channel, themes=("housing",),
                              client_languages=("ar",), language_used="ar")


def went(q: str, minutes: int) -> ClientAccompanied:
    return ClientAccompanied(question_id=q, service="ocmw", minutes=minutes)


def by_cell(found: dict) -> dict[tuple[str, str, str, str], int]:
    return {(dict(k)["office"], dict(k)["channel"], dict(k)["month"], m): n for (k, m), n in found.items()}


def test_an_accompaniment_counts_in_its_own_month_under_the_office_and_channel_of_its_question() -> None:
    found = totals(WorkloadByChannel(), [
        env("question-w1", registered("w1", "o1", "whatsapp")),
        env("question-w1", went("w1", 90), at="2026-04-02T10:00:00+02:00"),
        env("question-w1", went("w1", 30), at="2026-04-20T10:00:00+02:00"),
        env("question-w2", registered("w2", "o2", "walk-in")),
        env("question-w2", went("w2", 45)),
        env("question-x", went("x", 60)),  # a question whose registration was never seen: counted nowhere
    ])
    assert by_cell(found) == {
        ("o1", "whatsapp", "2026-03", "questions"): 1,
        ("o1", "whatsapp", "2026-04", "accompaniments"): 2, ("o1", "whatsapp", "2026-04", "minutes_accompanying"): 120,
        ("o2", "walk-in", "2026-03", "questions"): 1,
        ("o2", "walk-in", "2026-03", "accompaniments"): 1, ("o2", "walk-in", "2026-03", "minutes_accompanying"): 45}


async def test_minutes_are_shown_only_where_the_accompaniments_they_add_up_are() -> None:
    """Accompaniments: o1 in March 7 (420 minutes), o2 in March 2 (150 minutes, hidden), o1 in April 6 (300): o2's
    2 is small, and March's line would give it away, so o1's 7 in March is hidden too; the total 15 is shown, and
    with it the total of minutes."""
    docs = [{"office": o, "channel": "walk-in", "month": m, "questions": q, "accompaniments": a,
             "minutes_accompanying": t}
            for o, m, q, a, t in (("o1", "2026-03", 9, 7, 420), ("o2", "2026-03", 8, 2, 150),
                                  ("o1", "2026-04", 12, 6, 300))]
    answer = await workload_by_channel(PeriodQuery(tenant="kortrijk"), ViewDocuments(docs), 5)
    assert [(r["office"], r["month"], r["questions"], r["accompaniments"], r["minutes_accompanying"])
            for r in answer["rows"]] == [("o1", "2026-03", 9, None, None), ("o2", "2026-03", 8, None, None),
                                         ("o1", "2026-04", 12, 6, 300)]
    assert (answer["total"], answer["accompaniments"], answer["minutes_accompanying"]) == (29, 15, 870)


async def test_the_total_minutes_are_hidden_when_they_would_tell_the_minutes_of_few_hidden_accompaniments() -> None:
    """o1 and o2 went along once each (240 and 180 minutes), o3 ten times: the two 1s are hidden, and the total (12)
    shown; total minutes less o3's would be the 420 minutes of two clients: hidden."""
    docs = [{"office": o, "channel": "walk-in", "month": "2026-03", "questions": 9, "accompaniments": a,
             "minutes_accompanying": t} for o, a, t in (("o1", 1, 240), ("o2", 1, 180), ("o3", 10, 300))]
    answer = await workload_by_channel(PeriodQuery(tenant="kortrijk"), ViewDocuments(docs), 5)
    assert [(r["office"], r["accompaniments"], r["minutes_accompanying"]) for r in answer["rows"]] == [
        ("o1", None, None), ("o2", None, None), ("o3", 10, 300)]
    assert (answer["accompaniments"], answer["minutes_accompanying"]) == (12, None)
