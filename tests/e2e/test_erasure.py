"""After erasure nothing personal can be read back: not through the API, not in MongoDB, not on Kafka, not in logs."""
from __future__ import annotations

import pytest
from bson import json_util
from pymongo import AsyncMongoClient

from contracts import topics
from contracts.envelope import Envelope
from services.client import Client
from tests.e2e.kafka_read import read_until

pytestmark = pytest.mark.e2e
PHONE, EMAIL = "+32 470 98 76 54", "amina.haddad@example.org"
NOTE = "Amina woont met haar drie kinderen bij haar broer in de Doorniksewijk"
SECRETS = [PHONE, EMAIL, NOTE, "Amina", "Doorniksewijk", "98 76 54"]


async def test_erasure_leaves_nothing_personal_readable(system: Client, settings) -> None:
    client_id = (await system.intake_call("RegisterClient")).client_id
    await system.intake_call("RecordConsent", client_id=client_id, contact_by_phone=True)
    await system.intake_call("RecordContactDetails", client_id=client_id, phone=PHONE, email=EMAIL)
    await system.intake_call("AddClientNote", client_id=client_id, text=NOTE)
    question = await system.intake_call(
        "RegisterQuestion", client_id=client_id, office_id="huis-van-de-kortrijkzaan", channel="walk-in",
        themes=["housing"], client_languages=["ar"], language_used="ar")
    before = await system.intake_call("GetClient", client_id=client_id)
    assert (before.phone, before.email, [n.text for n in before.notes]) == (PHONE, EMAIL, [NOTE])

    await system.intake_call("EraseClient", client_id=client_id)

    after = await system.intake_call("GetClient", client_id=client_id)
    assert after.erased and (after.phone, after.email, list(after.notes)) == ("", "", [])
    # The anonymous history still counts: the question is still there, with the same pseudonym.
    kept = await system.intake_call("GetQuestion", question_id=question.question_id)
    assert kept.question.client_id == client_id

    mongo: AsyncMongoClient = AsyncMongoClient(settings.mongo_url)
    try:
        database = mongo[settings.database("intake")]
        dump = ""
        for name in await database.list_collection_names():
            dump += json_util.dumps(await database[name].find().to_list())
        key_doc = await database["client_keys"].find_one({"_id": client_id})
    finally:
        await mongo.close()
    assert client_id in dump and "ClientContactDetailsRecorded" in dump  # we did search the right documents
    assert not [s for s in SECRETS if s in dump]
    assert key_doc == {"_id": client_id, "erased": True}

    def erased(records):
        return any(r.key == client_id.encode() and b"ClientErased" in r.value for r in records)
    records = await read_until(settings, [topics.INTAKE_CLIENTS, topics.INTAKE_QUESTIONS], erased)
    mine = [Envelope.from_bytes(r.value) for r in records if r.key == client_id.encode()]
    assert [e.type for e in mine] == ["ClientRegistered", "ClientConsentRecorded", "ClientContactDetailsRecorded",
                                      "ClientNoteAdded", "ClientErased"]
    raw = b"".join(r.value + b"".join(v for _, v in r.headers) for r in records)
    assert not [s for s in SECRETS if s.encode() in raw]
    logs = "".join(path.read_text() for path in system.logs)  # type: ignore[attr-defined]
    assert not [s for s in SECRETS if s in logs]
