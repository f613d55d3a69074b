"""Free text end to end: details typed into sealed fields are kept for the worker but stored and sent only as
ciphertext; typed into screened fields (intake and referral) they are refused with INVALID_ARGUMENT naming the field
and what was found. The session-end scan (conftest.stores_carry_no_planted_detail) then reads every topic and
database of the session for these planted details."""
from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import grpc
import pytest
from pymongo import AsyncMongoClient

from contracts.envelope import Role
from contracts.proto import referral_pb2 as pb
from contracts.proto import referral_pb2_grpc
from services.client import Client, channel
from services.plumbing.settings import Settings
from tests.e2e import scan
from tests.e2e.conftest import HUIS, client_credentials, running

pytestmark = pytest.mark.e2e
PHONE, EMAIL = scan.PHONES[2], scan.EMAILS[1]
ADDRESS = "Doorniksewijk 12, 8500 Kortrijk"
NOTE = (f"Amina Haddad, rijksregister {scan.NATIONAL_NUMBER}, rekening {scan.IBAN}; haar broer woont in de "
        f"Doorniksewijk, bereikbaar op {PHONE}")
ORDINARY = "Wachtlijst van 18 maanden sinds 12/03/2024 om 14:30, € 25 per aanvraag, loket in 8500 Kortrijk, 3 keer"


def cid() -> str:
    return uuid.uuid4().hex


async def refused(call: Any) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, caught.value.details()
    return caught.value.details()


async def test_intake_seals_client_text_and_refuses_details_in_screened_text(system: Client,
                                                                            settings: Settings) -> None:
    client_id = (await system.intake_call("RegisterClient")).client_id
    await system.intake_call("RecordContactDetails", client_id=client_id, phone=PHONE, email=EMAIL, address=ADDRESS)
    await system.intake_call("AddClientNote", client_id=client_id, text=NOTE)
    question_id = (await system.intake_call(
        "RegisterQuestion", client_id=client_id, office_id=HUIS, channel="walk-in", themes=["housing"],
        client_languages=["ar"], language_used="ar")).question_id
    shown = await system.intake_call("GetClient", client_id=client_id)  # kept for the worker: not erased
    assert (shown.phone, shown.email, shown.address, [n.text for n in shown.notes]) == (PHONE, EMAIL, ADDRESS, [NOTE])

    asks = {
        "text: contains a phone number": ("ReportSignal", dict(office_id=HUIS, themes=["housing"],
                                                               text=f"Bel mevrouw op {PHONE} over de wachtlijst")),
        "services[0]: contains an e-mail address": ("ReportSignal", dict(
            office_id=HUIS, themes=["housing"], services=[f"loket {EMAIL}"], text=ORDINARY)),
        "reason: contains a street address": ("RecordGap", dict(question_id=question_id, theme="housing",
                                                                reason_code="other", reason=f"woont {ADDRESS}")),
        "service: contains an IBAN": ("AccompanyClient", dict(question_id=question_id, minutes=30,
                                                              service=f"OCMW, rekening {scan.IBAN}")),
    }
    for expected, (rpc, fields) in asks.items():
        assert (await refused(system.intake_call(rpc, **fields))).startswith(expected)
    await system.intake_call("CloseQuestion", question_id=question_id, outcome="withdrawn")
    assert (await refused(system.intake_call(
        "ReopenQuestion", question_id=question_id, reason=f"kwam terug met rijksregister {scan.NATIONAL_NUMBER}"))
    ).startswith("reason: contains a national register number")

    # ordinary text with dates, times, amounts, postcodes and counts passes
    await system.intake_call("ReportSignal", office_id=HUIS, themes=["housing"], services=["ocmw-onthaal"],
                             text=ORDINARY)
    await system.intake_call("ReopenQuestion", question_id=question_id, reason="kwam terug op 14/03/2024 om 10u")
    await system.intake_call("RecordGap", question_id=question_id, theme="housing", reason_code="other",
                             reason=ORDINARY)

    await _the_scan_finds_plaintext_and_none_of_this_test(settings)


async def _the_scan_finds_plaintext_and_none_of_this_test(settings: Settings) -> None:
    """The scan reads this test's topics and databases and finds nothing planted; a plaintext probe it does find."""
    await asyncio.sleep(2)  # the relay publishes what was appended
    found, places = await scan.scan(settings, [settings.topic_prefix], [settings.db_prefix])
    assert not found, found
    assert f"topic {settings.topic('wegwijs.intake.client.v1')}" in places
    assert f"database {settings.database('intake')}" in places
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url)
    try:
        probe = mongo[settings.db_prefix + "scan_probe"]["probe"]
        await probe.insert_one({"_id": "probe", "text": NOTE})
        found, _ = await scan.scan(settings, [], [settings.db_prefix])
        assert {f.split(": ", 1)[1] for f in found} >= {"Amina", "Doorniksewijk", PHONE, scan.IBAN}
    finally:
        await mongo.drop_database(settings.db_prefix + "scan_probe")
        await mongo.close()


async def test_referral_notes_refuse_contact_details(settings: Settings, request: pytest.FixtureRequest,
                                                    secrets: Path, token: Any) -> None:
    """Validation comes before any lookup: the referral service alone answers, for a worker's and a partner's note."""
    async with running(("referral",), settings, secrets, request.node.name) as ports, \
            channel(f"127.0.0.1:{ports['referral']}", client_credentials(secrets)) as ch:
        stub = referral_pb2_grpc.ReferralServiceStub(ch)

        def as_(role: Role, **who: str) -> tuple[tuple[str, str], ...]:
            return (("authorization", f"Bearer {token(role, **who)}"),)
        front, partner = as_(Role.FRONT_OFFICE, municipality="kortrijk"), as_(Role.PARTNER, partner="ocmw-kortrijk")
        details = await refused(stub.ReferToService(pb.ReferToServiceRequest(
            command_id=cid(), question_id="q-1", service_id="svc-1", mode="warm-handoff",
            note=f"Mevrouw is bereikbaar op {PHONE}"), metadata=front, timeout=10))
        assert details.startswith("note: contains a phone number; contact details are never sent to partners")
        for rpc, reason in (("Reject", "no-capacity"), ("Hold", "waiting-list"), ("Fail", "could-not-contact")):
            details = await refused(getattr(stub, rpc)(pb.PartnerRequest(
                command_id=cid(), referral_id="r-1", reason=reason, note=f"mail haar op {EMAIL}"),
                metadata=partner, timeout=10))
            assert details.startswith("note: contains an e-mail address"), (rpc, details)
        themes = await refused(stub.ReferToService(pb.ReferToServiceRequest(
            command_id=cid(), question_id="q-1", service_id="svc-1", mode="warm-handoff",
            themes=[f"bel {PHONE}"]), metadata=front, timeout=10))
        assert themes.startswith("themes[0]:")
