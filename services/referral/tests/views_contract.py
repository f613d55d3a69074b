"""The contract every ReferralViews adapter passes: the MongoDB one (which keeps each question's list of referrals
by `_id`) and the in-memory fake alike."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.referral.application.ports import ReferralViews
from services.referral.tests.support import OTHER_PARTNER, PARTNER, TENANT

OTHER = "brugge"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def doc(n: int, version: int = 1, tenant: str = TENANT, question: str = "q-1", status: str = "requested",
        office: str = "office-1", partner: str = PARTNER, minutes: int | None = None) -> dict[str, Any]:
    """Referral n's view document, as handlers.document writes it (the fields the lists read)."""
    return {"_id": f"{tenant}|r-{n}", "referral_id": f"r-{n}", "tenant": tenant, "version": version,
            "question_id": question, "office_id": office, "organization_id": partner, "status": status,
            "open": status in ("requested", "accepted", "in-progress"), "overdue": False,
            "requested_at": T0 + timedelta(minutes=n if minutes is None else minutes)}


def ids(docs: list[dict[str, Any]]) -> list[str]:
    return [d["referral_id"] for d in docs]


class ViewsContract:
    """Subclass and provide a `views` fixture."""

    async def test_a_questions_referrals_oldest_first_in_pages_and_only_its_municipalitys(
            self, views: ReferralViews) -> None:
        for n in (3, 1, 2):
            await views.put(doc(n))
        await views.put(doc(4, question="q-2"))
        await views.put(doc(5, tenant=OTHER))  # the same question id in another municipality
        assert ids(await views.find(TENANT, {"question_id": "q-1"}, 0, 10)) == ["r-1", "r-2", "r-3"]
        assert ids(await views.find(TENANT, {"question_id": "q-1"}, 1, 1)) == ["r-2"]
        assert ids(await views.find(TENANT, {"question_id": "q-2"}, 0, 10)) == ["r-4"]
        assert ids(await views.find(OTHER, {"question_id": "q-1"}, 0, 10)) == ["r-5"]
        assert await views.find(TENANT, {"question_id": "q-unknown"}, 0, 10) == []

    async def test_a_later_version_replaces_an_earlier_one_never_the_reverse(self, views: ReferralViews) -> None:
        await views.put(doc(1))
        await views.put(doc(1, version=3, status="completed"))
        await views.put(doc(1, version=2, status="accepted"))  # late
        [found] = await views.find(TENANT, {"question_id": "q-1"}, 0, 10)
        assert (found["version"], found["status"]) == (3, "completed")
        assert await views.find(TENANT, {"office_id": "office-1", "open": True}, 0, 10) == []

    async def test_a_referral_first_stored_at_a_later_version_is_listed_under_its_question(
            self, views: ReferralViews) -> None:
        """Its first version's document was never written (a crash after the append): the next one lists it."""
        await views.put(doc(1, version=2, status="accepted"))
        assert ids(await views.find(TENANT, {"question_id": "q-1"}, 0, 10)) == ["r-1"]

    async def test_the_lists_of_an_office_and_of_a_partner(self, views: ReferralViews) -> None:
        await views.put(doc(1))
        await views.put(doc(2, status="completed"))
        await views.put(doc(3, office="office-2", partner=OTHER_PARTNER))
        await views.put(doc(4, tenant=OTHER))
        assert ids(await views.find(TENANT, {"office_id": "office-1", "open": True}, 0, 10)) == ["r-1"]
        assert ids(await views.find(None, {"organization_id": PARTNER}, 0, 10)) == ["r-1", "r-2", "r-4"]
        assert ids(await views.find(None, {"organization_id": PARTNER, "status": "completed"}, 0, 10)) == ["r-2"]

    async def test_requested_before_a_moment_and_not_yet_overdue(self, views: ReferralViews) -> None:
        await views.put(doc(1))
        await views.put(doc(2, minutes=60))
        await views.put(doc(3, status="accepted"))
        await views.put({**doc(4), "overdue": True})
        assert ids(await views.requested_before(T0 + timedelta(minutes=30), 10)) == ["r-1"]
