"""Gaps in the offer: demand per theme row × language × office, supply with capacity, and the self-reliance cohorts."""
from __future__ import annotations

from datetime import UTC, date, datetime

from contracts.events.catalogue import Capacity, ServiceRecord, ServiceRegistered, ServiceUpdated
from contracts.events.intake import QuestionClarified, QuestionRegistered
from contracts.events.referral import ReferralCompleted, ReferralRequested
from services.insights.application.offer import Supply
from services.insights.domain.offer_demand import OfferDemand
from services.insights.domain.self_reliance import SelfReliance
from services.insights.domain.service_languages import ServiceLanguages
from services.insights.tests.unit.events import env, totals


def registered(q: str, themes: tuple[str, ...], languages: tuple[str, ...] = ("ar", "fr", "ar")) -> QuestionRegistered:
    return QuestionRegistered(question_id=q, office_id="huis", client_id="c", channel="walk-in", themes=themes,
                              client_languages=languages, language_used="nl")


def cells(found: dict) -> dict[tuple[str, str, str], int]:
    return {(dict(k)["office"], dict(k)["theme"], dict(k)["language"]): n for (k, _), n in found.items()}


def test_demand_counts_each_language_once_per_theme_row_and_follows_clarification() -> None:
    s = "question-g1"
    found = totals(OfferDemand(), [env(s, registered("g1", ("housing.social-rental",))),
                                   env(s, QuestionClarified(question_id="g1", themes=("work",)))])
    assert cells(found) == {("huis", t, lang): 1 for t in ("*", "work") for lang in ("ar", "fr")}
    assert all(dict(k)["month"] == "2026-03" for k, _ in found)
    before = totals(OfferDemand(), [env("question-g2", registered("g2", ("housing.social-rental",), ("ps",)))])
    assert cells(before) == {("huis", "*", "ps"): 1, ("huis", "housing.social-rental", "ps"): 1, ("huis", "housing", "ps"): 1}


def test_a_full_service_offers_the_pair_capacity_full_until_a_place_frees() -> None:
    s, now = "service-cap", datetime(2026, 3, 1, tzinfo=UTC)
    record = ServiceRecord(organization_id="org", name="Sociaal wonen", themes=("housing",), languages=("nl",),
                           capacity=Capacity(available=0, updated=now, waiting_list=True))
    full = env(s, ServiceRegistered(service_id="cap", record=record))
    freed = env(s, ServiceUpdated(service_id="cap", changes={"capacity": {"available": 3, "updated": now.isoformat()}}))

    def offered(found: dict) -> set[tuple[str, str]]:
        return {(dict(k)["kind"], dict(k)["value"]) for (k, _), n in found.items() if n == 1}

    assert ("capacity", "full") in offered(totals(ServiceLanguages(), [full]))
    assert offered(totals(ServiceLanguages(), [full, freed])) == {("language", "nl"), ("theme", "housing")}


def test_a_service_covers_its_themes_their_top_level_rows_and_sub_themes_of_a_top_level_theme() -> None:
    specific, general = Supply({"housing.social-rental"}, {"ar"}), Supply({"housing"}, {"ar"})
    assert specific.covers("housing", "ar") and specific.covers("housing.social-rental", "ar")
    assert not specific.covers("housing.search", "ar") and not specific.covers("housing", "fr")
    assert general.covers("housing.search", "ar") and not general.covers("work", "ar")


def requested(r: str, since: date | None) -> ReferralRequested:
    return ReferralRequested(referral_id=r, question_id="q", client_id="c", service_id="svc", organization_id="org",
                             office_id="o", themes=("work",), mode="warm-handoff", client_since=since)


def test_self_reliance_counts_later_referrals_by_cohort_of_first_visit() -> None:
    def referral(r: str, since: date | None, at: str, alone: bool) -> list:
        return [env(f"referral-{r}", requested(r, since), at=at),
                env(f"referral-{r}", ReferralCompleted(referral_id=r, outcome="got-help", went_alone=alone),
                    at="2026-05-02T10:00:00+02:00")]
    found = totals(SelfReliance(), [
        *referral("a", date(2026, 1, 20), "2026-04-01T10:00:00+02:00", True),    # later: cohort January
        *referral("b", date(2026, 1, 5), "2026-04-03T10:00:00+02:00", False),    # later: cohort January
        *referral("c", date(2026, 4, 1), "2026-04-01T23:30:00+02:00", True),     # the first day itself: not later
        *referral("d", None, "2026-04-01T10:00:00+02:00", True),                 # first visit unknown (v1)
        *referral("e", date(2026, 3, 31), "2026-04-01T00:30:00+02:00", True),    # Brussels day after: later, March
    ])
    rows = {(dict(k)["cohort"], dict(k)["month"], m): n for (k, m), n in found.items()}
    assert rows == {("2026-01", "2026-04", "completed"): 2, ("2026-01", "2026-04", "went_alone"): 1,
                    ("2026-03", "2026-04", "completed"): 1, ("2026-03", "2026-04", "went_alone"): 1}
