"""Referrals end to end: intake, catalogue and referral as processes (mutual TLS, tokens) on the real stack.

A referral made through gRPC reaches exactly its partner's topic; the partner reports back through gRPC; the
question's referrals show the outcome, and so does the question's history in intake (learnt from the referral topic). A consumer of partner A's topic, from the beginning, never sees partner B's
referrals or any contact detail (asserted over the raw messages).
"""
from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from contracts import topics
from contracts.envelope import Envelope, Role
from contracts.proto import catalogue_pb2 as cat
from contracts.proto import catalogue_pb2_grpc, referral_pb2_grpc
from contracts.proto import referral_pb2 as pb
from services.client import Client, channel
from services.plumbing import kafka
from services.plumbing.settings import Settings
from tests.e2e.conftest import client_credentials, running
from tests.e2e.kafka_read import read_until

pytestmark = pytest.mark.e2e
A, B = "ocmw-kortrijk", "vzw-elders"
PHONE = "+32 470 11 22 33"
PARTNER_FIELDS = {"referral_id", "organization_id", "service_id", "client_id", "status", "change", "themes",
                  "client_languages", "mode", "priority", "requested_at", "overdue", "reason", "outcome",
                  "went_alone", "note"}
QUESTION = dict(office_id="huis-van-de-kortrijkzaan", channel="walk-in", themes=["housing"], client_languages=["ar"],
                language_used="ar")


def cid() -> str:
    return uuid.uuid4().hex


class Stubs:
    def __init__(self, ports: dict[str, int], credentials: grpc.ChannelCredentials, token: Any) -> None:
        self.channels = {n: channel(f"127.0.0.1:{ports[n]}", credentials) for n in ("catalogue", "referral")}
        self.intake = Client(f"127.0.0.1:{ports['intake']}", f"127.0.0.1:{ports['insights']}",
                             token(Role.FRONT_OFFICE, "kortrijk"), credentials)
        self.token = token

    def referral(self, role: Role, municipality: str | None = None, partner: str | None = None) -> Any:
        return _bound(referral_pb2_grpc.ReferralServiceStub(self.channels["referral"]),
                      self.token(role, municipality, partner))

    def catalogue(self) -> Any:
        return _bound(catalogue_pb2_grpc.CatalogueServiceStub(self.channels["catalogue"]),
                      self.token(Role.CATALOGUE_ADMIN, "kortrijk"))

    async def close(self) -> None:
        await self.intake.close()
        for c in self.channels.values():
            await c.close()


def _bound(stub: Any, token: str) -> Any:
    class Bound:
        def __getattr__(self, name: str) -> Any:
            return lambda req: getattr(stub, name)(req, metadata=(("authorization", f"Bearer {token}"),), timeout=10)
    return Bound()


@pytest.fixture
async def referral_system(settings: Settings, request: pytest.FixtureRequest, secrets: Path,
                          token) -> AsyncIterator[Stubs]:
    async with running(("intake", "catalogue", "referral"), settings, secrets, request.node.name) as ports:
        stubs = Stubs(ports, client_credentials(secrets), token)
        try:
            yield stubs
        finally:
            await stubs.close()


async def refer(front: Any, question_id: str, service_id: str, *, seconds: float = 20, command_id: str = "") -> Any:
    """Refer, waiting while the referral service has not yet learnt the question, service or consent from Kafka
    (an id it has not learnt yet is NOT_FOUND, as one of another municipality)."""
    request = pb.ReferToServiceRequest(command_id=command_id or cid(), question_id=question_id, service_id=service_id,
                                       mode="warm-handoff")
    for _ in range(int(seconds / 0.2)):
        try:
            return await front.ReferToService(request)
        except grpc.aio.AioRpcError as exc:
            not_learnt = exc.code() is grpc.StatusCode.NOT_FOUND and "does not exist" in (exc.details() or "")
            if not not_learnt and (exc.code() != grpc.StatusCode.FAILED_PRECONDITION or "unknown" not in exc.details()):
                raise
            await asyncio.sleep(0.2)
    return await front.ReferToService(request)


async def refusal(front: Any, question_id: str, service_id: str) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await refer(front, question_id, service_id)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    return caught.value.details()


async def learnt(settings: Settings, collection: str, key: str, fields: dict[str, Any], seconds: float = 20,
                 tenant: str = "kortrijk") -> None:
    """Wait until the referral service has learnt `fields` of `key` from Kafka (its reference documents are eventually
    consistent: a service's registration and its closure may be read in different batches). Reference documents are
    the municipality's own: keyed `<tenant>|<id>`."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url)
    try:
        docs = client[settings.database("referral")][f"ref_{collection}"]
        for _ in range(int(seconds / 0.2)):
            doc = await docs.find_one({"_id": f"{tenant}|{key}"}) or {}
            if all(doc.get(k) == v for k, v in fields.items()):
                return
            await asyncio.sleep(0.2)
        pytest.fail(f"referral did not learn {fields} of {collection} {key} within {seconds} s")
    finally:
        await client.close()


async def upstream(s: Stubs) -> dict[str, str]:
    """Two partners with a service each and a closed service of A; questions of a consenting client and of one
    without consent; a closed question."""
    services, questions = await asyncio.gather(_catalogue(s), _intake(s))
    return services | questions


async def _catalogue(s: Stubs) -> dict[str, str]:
    catalogue, ids = s.catalogue(), {}
    for org in (A, B):
        await catalogue.RegisterOrganization(cat.RegisterOrganizationRequest(
            command_id=cid(), organization_id=org, organization=cat.Organization(name=org)))
    for name, org in (("svc_a", A), ("svc_b", B), ("svc_closed", A)):
        ids[name] = (await catalogue.RegisterService(cat.RegisterServiceRequest(
            command_id=cid(), service=cat.Service(organization_id=org, name=name, themes=["housing"])))).id
    await catalogue.CloseService(cat.CloseRequest(command_id=cid(), id=ids["svc_closed"], status="inactive",
                                                  reason="moved"))
    return ids


async def _intake(s: Stubs) -> dict[str, str]:
    consenting = (await s.intake.intake_call("RegisterClient")).client_id
    await s.intake.intake_call("RecordConsent", client_id=consenting, referral_sharing=True, contact_by_phone=True)
    await s.intake.intake_call("RecordContactDetails", client_id=consenting, phone=PHONE)
    refusing = (await s.intake.intake_call("RegisterClient")).client_id
    await s.intake.intake_call("RecordConsent", client_id=refusing, referral_sharing=False)
    ids = {"client": consenting}
    for name, client in (("q_a", consenting), ("q_b", consenting), ("q_no_consent", refusing),
                         ("q_closed", consenting)):
        ids[name] = (await s.intake.intake_call("RegisterQuestion", client_id=client, **QUESTION)).question_id
    await s.intake.intake_call("CloseQuestion", question_id=ids["q_closed"], outcome="withdrawn")
    return ids


async def _history_ends_with_outcome(s: Stubs, question_id: str, referral_id: str, seconds: float = 30) -> None:
    """Intake's GetQuestion shows the referral's outcome once its consumer has read the referral topic."""
    for _ in range(int(seconds / 0.25)):
        history = (await s.intake.intake_call("GetQuestion", question_id=question_id)).history
        if history and history[-1].type == "ReferralCompleted":
            break
        await asyncio.sleep(0.25)
    assert [h.type for h in history][-4:] == ["ReferralRequested", "ReferralAccepted", "ReferralStarted",
                                              "ReferralCompleted"]
    details = json.loads(history[-1].details_json)
    assert (details["outcome"], details["went_alone"], details["referral_id"]) == ("got-help", True, referral_id)
    assert history[0].type == "QuestionRegistered"


async def test_referrals_reach_only_their_partner_who_reports_back(referral_system: Stubs, settings) -> None:
    s = referral_system
    ids = await upstream(s)
    front = s.referral(Role.FRONT_OFFICE, "kortrijk")
    commands = [cid() for _ in range(4)]  # the referral to A and A's three reports: none may reach A
    to_a = (await refer(front, ids["q_a"], ids["svc_a"], command_id=commands[0])).referral_id
    to_b = (await refer(front, ids["q_b"], ids["svc_b"])).referral_id

    await learnt(settings, "services", ids["svc_closed"], {"status": "inactive"})
    await learnt(settings, "questions", ids["q_closed"], {"status": "closed"})
    assert (await refusal(front, ids["q_a"], ids["svc_closed"])).startswith("service_id:")
    assert "is closed" in await refusal(front, ids["q_closed"], ids["svc_a"])
    assert (await refusal(front, ids["q_no_consent"], ids["svc_a"])).startswith("consent:")

    partner_a = s.referral(Role.PARTNER, partner=A)
    with pytest.raises(grpc.aio.AioRpcError) as caught:  # B's referral is invisible to A
        await partner_a.Accept(pb.PartnerRequest(command_id=cid(), referral_id=to_b))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    for command_id, (call, fields) in zip(commands[1:], (("Accept", {}), ("Start", {}), (
            "Complete", {"outcome": "got-help", "went_alone": True})), strict=True):
        await getattr(partner_a, call)(pb.PartnerRequest(command_id=command_id, referral_id=to_a, **fields))

    of_question = await front.ListReferralsOfQuestion(pb.ListReferralsOfQuestionRequest(question_id=ids["q_a"]))
    assert [(r.referral_id, r.status, r.outcome, r.went_alone) for r in of_question.referrals] == \
        [(to_a, "completed", "got-help", True)]

    await _history_ends_with_outcome(s, ids["q_a"], to_a)

    def completed(records) -> bool:
        return any(b'"ReferralCompleted"' in r.value for r in records)
    topic_a, topic_b = topics.partner_referrals(A), topics.partner_referrals(B)
    raw_a = await read_until(settings, [topic_a], completed)
    raw_b = await read_until(settings, [topic_b], lambda rs: len(rs) >= 1, seconds=10)
    seen_a = [Envelope.from_bytes(r.value) for r in raw_a]
    assert [e.payload["status"] for e in seen_a] == ["requested", "accepted", "in-progress", "completed"]
    assert {e.type for e in seen_a} == {"PartnerReferral"} and {e.payload["referral_id"] for e in seen_a} == {to_a}
    assert all(set(e.payload) == PARTNER_FIELDS and e.payload["organization_id"] == A for e in seen_a)
    everything_a = b"".join(r.value + (r.key or b"") + b"".join(v for _, v in r.headers) for r in raw_a)
    # the phone in any spelling; not a bare "470", which a random id or a timestamp may hold by chance
    phones = (PHONE, PHONE.replace(" ", ""), "470 11 22 33", "470112233")
    for secret in (to_b, ids["svc_b"], B, ids["q_b"], *phones, ids["q_a"], "huis-van-de-kortrijkzaan"):
        assert secret.encode() not in everything_a, secret  # nor the question or office: not the partner's business
    for secret in ("staff-e2e", *commands):  # nor the senders' staff ids or their command ids (only pseudonyms)
        assert secret.encode() not in everything_a, secret
    assert all(e.causation_id is None and e.correlation_id == e.event_id for e in seen_a)
    assert [Envelope.from_bytes(r.value).payload["referral_id"] for r in raw_b] == [to_b]

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, **kafka.security(settings))
    await admin.start()
    try:
        partner_topics = {t for t in await admin.list_topics() if t.startswith(settings.topic("wegwijs.partner."))}
    finally:
        await admin.close()
    assert partner_topics == {settings.topic(topic_a), settings.topic(topic_b)}

    domain = await read_until(settings, [topics.REFERRAL_REFERRALS], completed)
    assert {Envelope.from_bytes(r.value).type for r in domain} >= {"ReferralRequested", "ReferralCompleted"}
    assert not [r for r in domain if b"PartnerReferral" in r.value]
    assert json.loads(domain[0].value)["tenant"] == "kortrijk"
