"""Clients: pseudonyms, consent, personal data only as ciphertext, erasure by deleting the key."""
import base64
import json

import pytest
from pydantic import ValidationError

from services.intake.application import crypto, queries
from services.intake.domain.errors import ClientRuleViolated, Unknown
from services.intake.tests.helpers import TENANT, Desk, client

PHONE, NOTE = "+32 470 12 34 56", "Vraagt naar Mohammed, woont bij zijn zus in de Overleiestraat"


@pytest.fixture
def desk() -> Desk:
    return Desk()


async def read(desk: Desk, client_id: str) -> queries.ClientView:
    return await queries.get_client(client.GetClient(tenant=desk.tenant, client_id=client_id), desk.deps)


async def test_contact_details_and_notes_are_stored_only_as_ciphertext(desk: Desk) -> None:
    cl = (await desk.run(client.RegisterClient))["client_id"]
    await desk.run(client.RecordContactDetails, client_id=cl, phone=PHONE, whatsapp=PHONE)
    await desk.run(client.AddClientNote, client_id=cl, text=NOTE)
    raw = json.dumps([c.model_dump(mode="json") for c in desk.deps.store.commits.values()])
    assert PHONE not in raw and NOTE not in raw and "Mohammed" not in raw
    view = await read(desk, cl)
    assert view.contact_details.phone == PHONE and [n[1] for n in view.notes] == [NOTE] and not view.erased


async def test_erasure_deletes_the_key_and_reads_say_erased(desk: Desk) -> None:
    cl = (await desk.run(client.RegisterClient))["client_id"]
    await desk.run(client.RecordContactDetails, client_id=cl, email="x@example.org")
    await desk.run(client.EraseClient, client_id=cl)
    assert await desk.deps.keys.get(cl) is None
    view = await read(desk, cl)
    assert view.erased and view.contact_details is None and view.notes == []
    assert await desk.types(cl) == ["ClientRegistered", "ClientContactDetailsRecorded", "ClientErased"]


@pytest.mark.parametrize(("cls", "fields"), [
    (client.RecordContactDetails, dict(phone="0470")), (client.AddClientNote, dict(text="x")),
    (client.RecordConsent, dict(referral_sharing=True)), (client.EraseClient, {}),
])
async def test_an_erased_client_records_nothing_more(desk: Desk, cls, fields) -> None:
    cl = (await desk.run(client.RegisterClient))["client_id"]
    await desk.run(client.EraseClient, client_id=cl)
    with pytest.raises(ClientRuleViolated, match="client_id: .*erased"):
        await desk.run(cls, client_id=cl, **fields)
    assert await desk.deps.keys.get(cl) is None  # no new key was made for an erased client


async def test_a_pseudonym_only_a_question_knows_becomes_a_client_on_first_use(desk: Desk) -> None:
    """Before a new client's stream started with their first question, the question was the pseudonym's one trace."""
    q = await desk.register()
    cl = desk.deps.views.docs[q]["client_id"]
    desk.deps.store.commits = {k: v for k, v in desk.deps.store.commits.items() if v.stream_id != cl}
    await desk.run(client.RecordConsent, client_id=cl, contact_by_whatsapp=True)
    assert await desk.types(cl) == ["ClientRegistered", "ClientConsentRecorded"]
    assert (await read(desk, cl)).consent["contact_by_whatsapp"] is True


@pytest.mark.parametrize("cls", [client.RecordConsent, client.AddClientNote])
async def test_an_unknown_pseudonym_records_nothing(desk: Desk, cls) -> None:
    fields = {"text": "x"} if cls is client.AddClientNote else {}
    with pytest.raises(Unknown, match="^client_id: client 'c-nobody' does not exist$"):
        await desk.run(cls, client_id="c-nobody", **fields)
    assert desk.deps.store.commits == {} and await desk.deps.keys.get("c-nobody") is None


async def test_erasing_an_unknown_client_is_not_found(desk: Desk) -> None:
    with pytest.raises(Unknown, match="client_id"):
        await desk.run(client.EraseClient, client_id="c-nobody")


async def test_another_municipality_cannot_read_or_erase_a_client(desk: Desk) -> None:
    cl = (await desk.run(client.RegisterClient))["client_id"]
    brugge = Desk(desk.deps, tenant="brugge")
    for attempt in (read(brugge, cl), brugge.run(client.EraseClient, client_id=cl)):
        with pytest.raises(Unknown):
            await attempt
    assert await desk.deps.keys.get(cl) is not None


def test_consent_not_to_be_contacted_excludes_contact_channels() -> None:
    with pytest.raises(ValidationError, match="do_not_contact excludes"):
        client.RecordConsent(command_id="cmd-00000001", tenant=TENANT, client_id="c-1", do_not_contact=True,
                             contact_by_phone=True)


def test_contact_details_need_at_least_one_way_to_reach_the_client() -> None:
    with pytest.raises(ValidationError, match="at least one of phone"):
        client.RecordContactDetails(command_id="cmd-00000001", tenant=TENANT, client_id="c-1")


def test_a_ciphertext_opens_only_with_its_key_and_its_client() -> None:
    key, other = b"k" * 32, b"o" * 32
    sealed = crypto.seal(key, "c-1", PHONE)
    assert PHONE.encode() not in base64.b64decode(sealed.ciphertext)
    assert crypto.unseal(key, "c-1", sealed) == PHONE
    assert crypto.unseal(other, "c-1", sealed) is None and crypto.unseal(key, "c-2", sealed) is None
    assert crypto.seal(key, "c-1", PHONE).nonce != sealed.nonce
