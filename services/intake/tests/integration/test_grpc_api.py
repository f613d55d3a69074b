"""Every rpc of IntakeService on the real MongoDB: what a front-office app relies on, and the errors it gets."""
from __future__ import annotations

import json
import uuid

import grpc
import pytest

from contracts.envelope import Role
from services.intake.tests.helpers import legacy_office

pytestmark = pytest.mark.integration
HUIS = "huis-van-de-kortrijkzaan"
REGISTER = dict(office_id=HUIS, channel="whatsapp", themes=["housing", "letters.explain-letter"],
                client_languages=["ar"], language_used="ar", occurred_at="2026-03-10T09:30:00+01:00")


def cid() -> str:
    return uuid.uuid4().hex


async def refused(call, code: grpc.StatusCode, *words: str) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    assert caught.value.code() == code, caught.value.details()
    assert all(w in caught.value.details() for w in words), caught.value.details()
    return caught.value.details()


async def register(api, **changes) -> str:
    fields = {**REGISTER, **changes}
    await opened(api, fields["office_id"])
    return (await api.call("RegisterQuestion", command_id=cid(), **fields)).question_id


async def opened(api, office_id: str) -> None:
    """The office open (a question is registered at an office of the municipality); the opening's command id is
    the office's, so opening it again is a retry that gets the first answer."""
    await api.call("OpenOffice", command_id=f"open-{office_id}", office_id=office_id, name="Onthaal")


async def test_question_commands_and_history(api) -> None:
    q = await register(api, barriers=["language"])
    steps = [("ClarifyQuestion", dict(themes=["housing", "health"], barriers=["language", "digital"])),
             ("InformClient", dict(themes=["health"], letter_explained=True)),
             ("AccompanyClient", dict(service="ocmw-kortrijk", minutes=60)),
             ("RecordGap", dict(theme="housing", reason_code="no-capacity", reason="no emergency shelter")),
             ("CloseQuestion", dict(outcome="gap")), ("ReopenQuestion", dict(reason="second visit"))]
    for rpc, fields in steps:
        reply = await api.call(rpc, command_id=cid(), question_id=q, **fields)
    assert (reply.status, reply.stream_version) == ("open", 7)
    detail = await api.call("GetQuestion", question_id=q)
    assert [h.type for h in detail.history] == ["QuestionRegistered", *(
        "QuestionClarified QuestionInformed ClientAccompanied GapRecorded QuestionClosed QuestionReopened".split())]
    assert list(detail.question.themes) == ["housing", "health"] and detail.question.status == "open"
    assert json.loads(detail.history[4].details_json)["reason"] == "no emergency shelter"
    assert detail.history[0].staff_id == "s-it" and detail.question.registered_at.startswith("2026-03-10T")


async def test_refused_transitions_name_the_field_and_the_reason(api) -> None:
    q = await register(api)
    await refused(api.call("ReopenQuestion", command_id=cid(), question_id=q), grpc.StatusCode.FAILED_PRECONDITION,
                  "question_id:", "only a closed one reopens")
    await refused(api.call("CloseQuestion", command_id=cid(), question_id=q, outcome="answered"),
                  grpc.StatusCode.FAILED_PRECONDITION, "outcome:")
    await refused(api.call("CloseQuestion", command_id=cid(), question_id=q, outcome="maybe"),
                  grpc.StatusCode.INVALID_ARGUMENT, "outcome:")
    await refused(api.call("AccompanyClient", command_id=cid(), question_id=q, service="x"),
                  grpc.StatusCode.INVALID_ARGUMENT, "minutes:")
    await refused(api.call("InformClient", command_id=cid(), question_id="q-missing"), grpc.StatusCode.NOT_FOUND)
    await refused(api.call("GetQuestion", question_id="q-missing"), grpc.StatusCode.NOT_FOUND, "question_id")


async def test_another_municipality_gets_not_found(api) -> None:
    q = await register(api)
    brugge = api.as_(Role.FRONT_OFFICE, "brugge")
    await refused(brugge.call("GetQuestion", question_id=q), grpc.StatusCode.NOT_FOUND)
    await refused(brugge.call("CloseQuestion", command_id=cid(), question_id=q, outcome="withdrawn"),
                  grpc.StatusCode.NOT_FOUND)
    admin = api.as_(Role.ADMIN, None)
    assert (await admin.call("GetQuestion", tenant="kortrijk", question_id=q)).question.question_id == q


async def test_a_clients_open_questions_paginated(api) -> None:
    await opened(api, HUIS)
    client_id = (await api.call("RegisterQuestion", command_id=cid(), **REGISTER)).client_id
    ids = [await register(api, client_id=client_id) for _ in range(4)]
    await api.call("CloseQuestion", command_id=cid(), question_id=ids[1], outcome="withdrawn")
    first = await api.call("ListClientQuestions", client_id=client_id, page_size=2)
    second = await api.call("ListClientQuestions", client_id=client_id, page_size=2,
                            page_token=first.next_page_token)
    got = [q.question_id for q in [*first.questions, *second.questions]]
    assert len(got) == 4 and ids[1] not in got and second.next_page_token == ""
    everything = await api.call("ListClientQuestions", client_id=client_id, include_closed=True, page_size=100)
    assert len(everything.questions) == 5


async def test_todays_questions_at_an_office(api) -> None:
    today = [await register(api, office_id="balie-2", occurred_at="") for _ in range(3)]
    await register(api, office_id="balie-2")  # 10 March 2026
    page = await api.call("ListOfficeQuestions", office_id="balie-2")
    assert [q.question_id for q in page.questions] == today
    march = await api.call("ListOfficeQuestions", office_id="balie-2", day="2026-03-10")
    assert len(march.questions) == 1
    await refused(api.call("ListOfficeQuestions", office_id="balie-2", day="10/03"),
                  grpc.StatusCode.INVALID_ARGUMENT, "day:")
    await refused(api.call("ListOfficeQuestions", office_id="balie-2", page_size=1000),
                  grpc.StatusCode.INVALID_ARGUMENT, "page_size:")


async def test_client_rpcs_and_erasure(api) -> None:
    client_id = (await api.call("RegisterClient", command_id=cid())).client_id
    await api.call("RecordConsent", command_id=cid(), client_id=client_id, referral_sharing=True,
                   contact_by_whatsapp=True)
    await api.call("RecordContactDetails", command_id=cid(), client_id=client_id, whatsapp="+32 470 11 22 33")
    await api.call("AddClientNote", command_id=cid(), client_id=client_id, text="Brief van de huisbaas")
    detail = await api.call("GetClient", client_id=client_id)
    assert (detail.whatsapp, [n.text for n in detail.notes], detail.contact_by_whatsapp) == (
        "+32 470 11 22 33", ["Brief van de huisbaas"], True)
    await refused(api.call("RecordConsent", command_id=cid(), client_id=client_id, do_not_contact=True,
                           contact_by_phone=True), grpc.StatusCode.INVALID_ARGUMENT, "do_not_contact")
    await api.call("EraseClient", command_id=cid(), client_id=client_id)
    erased = await api.call("GetClient", client_id=client_id)
    assert erased.erased and erased.whatsapp == "" and not erased.notes
    await refused(api.call("AddClientNote", command_id=cid(), client_id=client_id, text="x"),
                  grpc.StatusCode.FAILED_PRECONDITION, "client_id:", "erased")
    await refused(api.call("GetClient", client_id="c-nobody"), grpc.StatusCode.NOT_FOUND)


async def test_office_rpcs_and_signals(api) -> None:
    opening = cid()
    await api.call("OpenOffice", command_id=opening, office_id=HUIS, name="Huis van de Kortrijkzaan")
    # A retry of the opening (a reply lost on the way) gets the same answer, though the office is open by then.
    assert (await api.call("OpenOffice", command_id=opening, office_id=HUIS, name="Huis")).office_id == HUIS
    await refused(api.call("OpenOffice", command_id=cid(), office_id=HUIS, name="Huis"),
                  grpc.StatusCode.FAILED_PRECONDITION, "office_id:", "already open")
    await api.call("AddBridgeWorker", command_id=cid(), office_id=HUIS, staff_id="s-1", languages=["ar", "nl"])
    await api.call("AddBridgeWorker", command_id=cid(), office_id=HUIS, staff_id="s-2", languages=["ti"])
    await api.call("ChangeBridgeWorkerLanguages", command_id=cid(), office_id=HUIS, staff_id="s-2",
                   languages=["ti", "am"])
    detail = await api.call("GetOffice", office_id=HUIS)
    assert detail.name == "Huis van de Kortrijkzaan" and list(detail.languages) == ["am", "ar", "nl", "ti"]
    await refused(api.call("AddBridgeWorker", command_id=cid(), office_id=HUIS, staff_id="s-1", languages=["fr"]),
                  grpc.StatusCode.FAILED_PRECONDITION, "staff_id:")
    await refused(api.call("GetOffice", office_id="elders"), grpc.StatusCode.NOT_FOUND)
    signal = await api.call("ReportSignal", command_id=cid(), office_id=HUIS, themes=["housing"],
                            barriers=["waiting-list"], services=["svk"], text="Wachtlijsten van jaren")
    assert signal.signal_id.startswith("s-")
    await refused(api.call("ReportSignal", command_id=cid(), office_id=HUIS, themes=["astrology"], text="x"),
                  grpc.StatusCode.INVALID_ARGUMENT, "themes[0]:", "unknown theme")


async def test_an_admin_recounts_the_languages_of_an_office_recorded_before_tallies(api) -> None:
    stream_id = await legacy_office(api.deps.store, "kortrijk", "onthaal", {"s-1": ("ar", "nl"), "s-2": ("nl",)})
    admin = api.as_(Role.ADMIN, None)
    await refused(api.call("RecountOfficeLanguages", command_id=cid(), office_id="onthaal"),
                  grpc.StatusCode.PERMISSION_DENIED)  # a front-office token may not
    recount = cid()
    reply = await admin.call("RecountOfficeLanguages", command_id=recount, tenant="kortrijk", office_id="onthaal")
    assert (reply.office_id, reply.stream_version) == ("onthaal", 4)
    assert await admin.call("RecountOfficeLanguages", command_id=recount, tenant="kortrijk",
                            office_id="onthaal") == reply  # a retry gets the first answer
    tally = (await api.deps.store.load(stream_id))[-1]
    assert (tally.type, tally.payload["languages"], tally.actor.role) == ("OfficeLanguagesCounted",
                                                                          {"ar": 1, "nl": 2}, Role.ADMIN)
    await refused(admin.call("RecountOfficeLanguages", command_id=cid(), tenant="kortrijk", office_id="onthaal"),
                  grpc.StatusCode.FAILED_PRECONDITION, "office_id:", "counted already")
    await refused(admin.call("RecountOfficeLanguages", command_id=cid(), tenant="brugge", office_id="onthaal"),
                  grpc.StatusCode.NOT_FOUND, "office_id:")


async def test_a_retried_command_returns_the_first_answer(api) -> None:
    command_id = cid()
    first = await api.call("RegisterClient", command_id=command_id)
    again = await api.call("RegisterClient", command_id=command_id)
    assert first.client_id == again.client_id
    # The same command id in another municipality is a command of its own there: no answer from Kortrijk.
    theirs = await api.as_(Role.FRONT_OFFICE, "brugge").call("RegisterClient", command_id=command_id)
    assert theirs.client_id != first.client_id
