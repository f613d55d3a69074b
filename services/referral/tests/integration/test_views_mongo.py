"""The referral views on FerretDB: the same contract as the fake, and the lists of referrals stored before each
question kept its own."""
from __future__ import annotations

import pytest

from services.referral.adapters.mongo import MongoViews
from services.referral.tests.support import TENANT
from services.referral.tests.views_contract import OTHER, ViewsContract, doc, ids

pytestmark = pytest.mark.integration


class TestMongoViews(ViewsContract):
    @pytest.fixture
    def views(self, deps) -> MongoViews:
        return deps.views


async def test_referrals_stored_before_the_question_lists_are_listed_once_at_start(mongo, settings) -> None:
    db = mongo[settings.database("referral")]
    await db["referrals"].insert_many([doc(1), doc(2), doc(3, tenant=OTHER)])
    views = MongoViews(mongo, settings.database("referral"))
    await views.create_indexes()
    assert ids(await views.find(TENANT, {"question_id": "q-1"}, 0, 10)) == ["r-1", "r-2"]
    assert ids(await views.find(OTHER, {"question_id": "q-1"}, 0, 10)) == ["r-3"]
    await db["referrals"].insert_one(doc(4))  # not through put: the listing of what came before is done once
    await views.create_indexes()
    assert ids(await views.find(TENANT, {"question_id": "q-1"}, 0, 10)) == ["r-1", "r-2"]


async def test_many_first_referrals_of_one_question_at_once_are_all_listed(deps) -> None:
    """All write one list at once: each is kept (FerretDB as released kept 10 of 20; see test_atomic_updates.py)."""
    import asyncio

    await asyncio.gather(*(deps.views.put(doc(n)) for n in range(1, 21)))
    assert ids(await deps.views.find(TENANT, {"question_id": "q-1"}, 0, 50)) == [f"r-{n}" for n in range(1, 21)]
