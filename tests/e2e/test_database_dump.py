"""A copy of every database of a run, read without the key-encryption key, gives no one's contact details or notes
back (issue 13.3); erasure shreds even for whoever holds the KEK, as the wrapped data key is gone."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from bson import Binary, json_util
from pymongo import AsyncMongoClient

from contracts.envelope import Role
from services.client import Client
from services.intake.adapters.keyfile import FileKeyWrapper
from services.plumbing import devsecrets
from tests.e2e import dump_attack as attack
from tests.e2e.conftest import SERVICES, client_credentials, running

pytestmark = pytest.mark.e2e
OFFICE = "onthaal-dump"
PEOPLE = [  # invented people, clearly fake numbers
    ("Yasmina Belkacem", "+32 470 55 01 01", "yasmina.belkacem@example.org", "Kapucijnenstraat 12, 8500 Kortrijk",
     "Yasmina zoekt een huurwoning voor haar en haar twee zonen"),
    ("Tarik Ouazzani", "+32 471 55 02 02", "tarik.ouazzani@example.org", "Doorniksestraat 47, 8500 Kortrijk",
     "Tarik heeft een brief van de huisbaas over een huurachterstand"),
    ("Olena Kovalenko", "+32 472 55 03 03", "olena.kovalenko@example.org", "Budastraat 3, 8500 Kortrijk",
     "Olena wil Nederlands leren en zoekt opvang voor haar dochter"),
]
ERASED = 2  # Olena asks to be forgotten


def secrets_of(person: tuple[str, ...]) -> list[str]:
    name, phone, email, address, note = person
    return [*name.split(), phone, phone.replace(" ", ""), email, address.split(",")[0], note, note[-30:]]


async def _register(intake: Client, person: tuple[str, ...]) -> tuple[str, str]:
    """The client's id and their question's."""
    _, phone, email, address, note = person
    client_id = (await intake.intake_call("RegisterClient")).client_id
    await intake.intake_call("RecordConsent", client_id=client_id, referral_sharing=True, contact_by_phone=True)
    await intake.intake_call("RecordContactDetails", client_id=client_id, phone=phone, whatsapp=phone, email=email,
                             address=address)
    await intake.intake_call("AddClientNote", client_id=client_id, text=note)
    question = await intake.intake_call("RegisterQuestion", client_id=client_id, office_id=OFFICE, channel="walk-in",
                                        themes=["housing"], client_languages=["ar"], language_used="ar")
    return client_id, question.question_id


async def _settled(mongo: AsyncMongoClient, settings, registered: list[tuple[str, str]]) -> None:
    """Until referral and insights consumed intake's events (the referral's database names every client, insights'
    every question: its stream positions), so what they wrote of them is in the copy too."""
    for _ in range(150):
        referral, insights = [json_util.dumps(await attack.documents(mongo, settings.database(s)))
                              for s in ("referral", "insights")]
        if all(c in referral and q in insights for c, q in registered):
            return
        await asyncio.sleep(0.2)
    raise AssertionError("referral and insights did not learn every client and question within 30 s")


async def test_a_copy_of_every_database_opens_nothing_without_the_kek(settings, secrets: Path, token,
                                                                      request: pytest.FixtureRequest) -> None:
    async with running(SERVICES, settings, secrets, request.node.name) as ports:
        intake = Client(f"127.0.0.1:{ports['intake']}", f"127.0.0.1:{ports['insights']}",
                        token(Role.FRONT_OFFICE, "kortrijk"), client_credentials(secrets))
        try:
            await intake.intake_call("OpenOffice", office_id=OFFICE, name="Onthaal")
            registered = [await _register(intake, p) for p in PEOPLE]
            clients = [c for c, _ in registered]
            await intake.intake_call("EraseClient", client_id=clients[ERASED])
            assert (await intake.intake_call("GetClient", client_id=clients[0])).phone == PEOPLE[0][1]
            async with AsyncMongoClient(settings.mongo_url) as mongo:
                await _settled(mongo, settings, registered)  # while they run
        finally:
            await intake.close()
    mongo: AsyncMongoClient = AsyncMongoClient(settings.mongo_url)
    try:
        copied = await attack.copy(mongo, settings.db_prefix, settings.db_prefix + "copy_")
        docs = await attack.documents(mongo, settings.db_prefix + "copy_")
        keys_in_copy = [d for d in docs if "wrapped" in d]
    finally:
        await mongo.close()
    assert settings.database("intake") in copied and len(copied) >= 3, copied
    sealed, keys = attack.sealed_values(docs), attack.candidate_keys(docs)
    assert len(sealed) == 2 * len(PEOPLE) and len(keys_in_copy) == 2, "the copy holds the ciphertexts and keys"
    assert len(keys) > 1000, "every key-looking value of the copy is tried"

    assert attack.opened(keys, sealed) == [], "no stored value opens a ciphertext without the KEK"
    everything = json_util.dumps(docs).encode() + attack.plaintext_bytes(docs)
    assert not [s for p in PEOPLE for s in secrets_of(p) if s.encode() in everything]

    # The attack works where a key sits in the clear (as before envelope encryption), and with the KEK on all but
    # the erased client: what the copy withholds is only the KEK, and an erased client's data is gone for good.
    kek = FileKeyWrapper(secrets / devsecrets.KEYRING)
    unwrapped = {d["_id"]: await kek.unwrap(d["wrapped"], d["_id"]) for d in keys_in_copy}
    in_the_clear = attack.candidate_keys([{"_id": clients[0], "key": Binary(unwrapped[clients[0]])}])
    assert {item.client_id for item, _ in attack.opened(keys | in_the_clear, sealed)} == {clients[0]}
    with_kek = attack.opened(set(unwrapped.values()), sealed)
    assert {item.client_id for item, _ in with_kek} == set(clients) - {clients[ERASED]}
    assert clients[ERASED] not in unwrapped and not [s for s in secrets_of(PEOPLE[ERASED])
                                                    if s.encode() in b"".join(text for _, text in with_kek)]
