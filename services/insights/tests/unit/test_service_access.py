"""Service accessibility per service and request month; offered languages and themes of active services."""
from __future__ import annotations


from contracts.events.catalogue import ServiceClosed, ServiceRecord, ServiceRegistered, ServiceUpdated
from contracts.events.referral import (
    ReferralAccepted, ReferralCompleted, ReferralFailed, ReferralRejected, ReferralRequested, ReferralStarted)
from services.insights.domain.service_access import ServiceAccess, bucket, median
from services.insights.domain.service_languages import ServiceLanguages
from services.insights.tests.unit.events import env, totals


def requested(r: str, mode: str = "information") -> ReferralRequested:
    return ReferralRequested(referral_id=r, question_id="q", client_id="c", service_id="svc", organization_id="org",
                             office_id="o", themes=("work",), mode=mode, client_languages=("ar", "fr", "ar"))


def facets(found: dict) -> dict[tuple[str, str, str], int]:
    return {(dict(k)["month"], dict(k)["facet"], dict(k)["value"]): n for (k, _), n in found.items()}


def test_buckets_and_the_median_read_off_a_histogram() -> None:
    assert [bucket(d) for d in (0, 1, 2, 3, 4, 6, 13, 29, 59, 60, 400)] == [
        "0", "1", "2", "3-4", "3-4", "5-6", "7-13", "14-29", "30-59", "60+", "60+"]
    assert median({"0": 1, "3-4": 1, "60+": 1}) == "3-4"
    assert median({"0": 2, "60+": 2}) == "0" and median({}) == ""


def test_every_later_event_counts_in_the_request_month_with_days_since_the_request() -> None:
    s = "referral-r1"
    found = totals(ServiceAccess(), [
        env(s, requested("r1", "accompanied"), at="2026-03-30T10:00:00+02:00"),
        env(s, ReferralAccepted(referral_id="r1"), at="2026-04-02T09:00:00+02:00"),
        env(s, ReferralStarted(referral_id="r1"), at="2026-04-03T09:00:00+02:00"),
        env(s, ReferralCompleted(referral_id="r1", outcome="got-help", went_alone=True), at="2026-05-10T10:00:00+02:00"),
        env("referral-r2", requested("r2"), at="2026-03-02T10:00:00+01:00"),
        env("referral-r2", ReferralRejected(referral_id="r2", reason="language", note="only speaks Tigrinya")),
        env("referral-r3", requested("r3"), at="2026-03-02T10:00:00+01:00"),
        env("referral-r3", ReferralFailed(referral_id="r3", reason="barrier-cost")),
        env("referral-x", ReferralAccepted(referral_id="x")),  # its request never seen: counts nowhere
    ])
    m = "2026-03"
    assert facets(found) == {
        (m, "status", "requested"): 3, (m, "mode", "accompanied"): 1, (m, "mode", "information"): 2,
        (m, "language", "ar"): 3, (m, "language", "fr"): 3, (m, "status", "accepted"): 1,
        (m, "days_accepted", "2"): 1, (m, "status", "completed"): 1, (m, "days_completed", "30-59"): 1,
        (m, "status", "rejected"): 1, (m, "rejected", "language"): 1, (m, "status", "failed"): 1,
        (m, "failed", "barrier-cost"): 1}
    assert all(dict(k)["service"] == "svc" and dict(k)["organization"] == "org" for k, _ in found)


def test_offered_pairs_follow_registration_updates_and_closing() -> None:
    s = "service-s1"
    record = ServiceRecord(organization_id="org", name="Job desk", themes=("work",), languages=("nl", "fr"))
    reg = env(s, ServiceRegistered(service_id="s1", record=record))
    upd = env(s, ServiceUpdated(service_id="s1", changes={"languages": ["nl", "ar"]}))
    closed = env(s, ServiceClosed(service_id="s1", status="temporarily closed", reason="renovation"))

    def offered(found: dict) -> set[tuple[str, str]]:
        return {(dict(k)["kind"], dict(k)["value"]) for (k, _), n in found.items() if n == 1}

    assert offered(totals(ServiceLanguages(), [reg])) == {("language", "nl"), ("language", "fr"), ("theme", "work")}
    assert offered(totals(ServiceLanguages(), [reg, upd])) == {("language", "nl"), ("language", "ar"),
                                                               ("theme", "work")}
    assert totals(ServiceLanguages(), [reg, upd, closed]) == {}
