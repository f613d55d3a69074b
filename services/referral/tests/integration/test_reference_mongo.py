"""Reference documents on FerretDB: the same contract as the fake, and the move of documents written before they
were per municipality."""
from __future__ import annotations

from datetime import date

import pytest

from services.referral.adapters.mongo import MongoReference, MongoViews
from services.referral.tests.reference_contract import OTHER, ReferenceContract
from services.referral.tests.support import PARTNER, TENANT

pytestmark = pytest.mark.integration


class TestMongoReference(ReferenceContract):
    @pytest.fixture
    def reference(self, deps) -> MongoReference:
        return deps.reference


async def test_documents_keyed_by_the_bare_id_move_under_their_municipality(mongo, settings) -> None:
    """As a deployed database holds them from before: `_id` = the id, the tenant a field (none for a first visit)."""
    db = mongo[settings.database("referral")]
    await db["ref_questions"].insert_one({"_id": "q-1", "v": 1, "tenant": TENANT, "client_id": "cl-1",
                                          "office_id": "office-1", "status": "open", "themes": ["housing"],
                                          "client_languages": ["ar"], "urgent": False})
    await db["ref_services"].insert_one({"_id": "svc-1", "v": 2, "tenant": OTHER, "organization_id": PARTNER,
                                         "status": "active"})
    await db["ref_services"].insert_one({"_id": "svc-2", "v": 2, "status": "inactive"})  # registration never came
    await db["ref_consents"].insert_one({"_id": "cl-1", "v": 3, "tenant": TENANT, "referral_sharing": True})
    await db["ref_clients"].insert_one({"_id": "cl-1", "since": "2026-03-11"})
    await db["ref_clients"].insert_one({"_id": "cl-9", "since": "2026-01-02"})  # no question, no consent
    reference = MongoReference(mongo, settings.database("referral"))

    assert await reference.migrate() == 4
    assert (await reference.question(TENANT, "q-1")).client_id == "cl-1"
    assert await reference.question(OTHER, "q-1") is None
    assert (await reference.service(OTHER, "svc-1")).organization_id == PARTNER
    assert await reference.service(TENANT, "svc-1") is None
    assert await reference.consent(TENANT, "cl-1") and not await reference.consent(OTHER, "cl-1")
    assert await reference.client_since(TENANT, "cl-1") == date(2026, 3, 11)
    assert await reference.office(TENANT, "office-1") and not await reference.office(OTHER, "office-1")
    assert await reference.migrate() == 0  # done once; what has no municipality stays unread
    assert {d["_id"] async for d in db["ref_services"].find({"id": {"$exists": False}})} == {"svc-2"}


async def test_a_moved_document_never_replaces_a_newer_one_learnt_meanwhile(mongo, settings) -> None:
    db = mongo[settings.database("referral")]
    reference = MongoReference(mongo, settings.database("referral"))
    await db["ref_consents"].insert_one({"_id": "cl-1", "v": 1, "tenant": TENANT, "referral_sharing": True})
    await db["ref_consents"].insert_one({"_id": f"{TENANT}|cl-1", "id": "cl-1", "v": 2, "tenant": TENANT,
                                         "referral_sharing": False})
    await reference.migrate()
    assert not await reference.consent(TENANT, "cl-1")


async def test_the_query_model_names_the_referral_of_documents_from_before(mongo, settings) -> None:
    db = mongo[settings.database("referral")]
    await db["referrals"].insert_one({"_id": "r-old", "tenant": TENANT, "version": 2, "status": "requested"})
    await MongoViews(mongo, settings.database("referral")).create_indexes()
    assert (await db["referrals"].find_one({"_id": "r-old"}))["referral_id"] == "r-old"


async def test_an_order_free_fact_no_smaller_than_one_stored_is_not_written_again(mongo, settings) -> None:
    """Every question of an office and of a returning client repeats that the office is known and the client's first
    visit; what this process stored already is not written again, an earlier first visit is."""
    from services.referral.tests.support import first_visits

    db, reference = mongo[settings.database("referral")], MongoReference(mongo, settings.database("referral"))
    registered, late, early = first_visits()
    await reference.learn(late)  # 1 April: the office is known, the client since 1 April
    await db["ref_offices"].delete_many({})
    await db["ref_clients"].update_one({}, {"$set": {"marker": "untouched"}})
    await reference.learn(late)  # again (a redelivery), then the registration of 12 March: earlier, written
    assert await db["ref_offices"].count_documents({}) == 0  # not written again
    await reference.learn(registered)
    assert await reference.client_since(TENANT, "cl-1") == date(2026, 3, 12)
    await reference.learn(early)  # 11 March in Brussels: earlier again
    assert await reference.client_since(TENANT, "cl-1") == date(2026, 3, 11)
    assert await reference.office(TENANT, "office-1") is False  # never written again: deleted behind its back
