"""The partner feed's AsyncAPI document is generated from the code, the example consumer reads what we send, and
nothing of the caller's (staff id, command id, correlation id) reaches a partner's record: key, headers or value."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest
from faststream.kafka import TestKafkaBroker

from contracts.envelope import Actor, Envelope, Role
from services.plumbing.relay import Relay
from services.plumbing.settings import Settings
from services.referral.application.handlers import Context, handle
from services.referral.application.outbound import Senders
from services.referral.bootstrap import topic_of
from services.referral.domain import commands as c
from services.referral.entrypoints import partner_feed
from services.referral.examples import partner_consumer
from services.referral.tests.support import (
    FRONT, OTHER_PARTNER, PARTNER, PARTNER_CTX, TENANT, args, deps_with, stream, upstream)


def test_the_committed_asyncapi_document_is_the_generated_one() -> None:
    assert partner_feed.DOCUMENT.read_text() == partner_feed.document(), \
        "regenerate: python -m services.referral.entrypoints.partner_feed"


async def partner_messages() -> list[Envelope]:
    deps = await deps_with(*upstream())
    await handle(c.ReferToService(**args(tenant=TENANT, referral_id="r-1", question_id="q-1", service_id="svc-1",
                                         mode="information")), FRONT, deps)
    await handle(c.Accept(**args(referral_id="r-1", organization_id=PARTNER)), PARTNER_CTX, deps)
    return [e for commit in deps.store.commits.values() for e in commit.events if e.type == "PartnerReferral"]


async def test_what_the_relay_sends_partners_matches_the_documented_schema() -> None:
    for message in await partner_messages():
        partner_feed.PartnerReferralMessage.model_validate_json(message.to_bytes())


async def test_the_example_consumer_keeps_the_latest_state_and_skips_repeats() -> None:
    broker, referrals = partner_consumer.build("localhost:9092", PARTNER, "g")
    messages = await partner_messages()
    async with TestKafkaBroker(broker) as test:
        for message in [*messages, messages[0]]:  # a redelivered old message changes nothing
            await test.publish(message.model_dump(mode="json"), partner_consumer.topic(PARTNER))
    version, latest = referrals.latest[stream("r-1")]
    assert (latest.status, version) == ("accepted", messages[-1].stream_version)


WORKER = Context(Actor(staff_id="bw-ines-0042", role=Role.FRONT_OFFICE), "corr-front-7731")
PARTNER_WORKER = Context(Actor(staff_id="ocmw-staff-9917", role=Role.PARTNER), "corr-partner-5520")
COMMANDS = ("cmd-refer-20260401", "cmd-accept-20260402", "cmd-start-20260403")


class Captured:
    """A producer that keeps what the relay would send: (topic, key, headers, value)."""

    def __init__(self) -> None:
        self.records: list[tuple[str, bytes, list[tuple[str, bytes]], bytes]] = []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, topic: str, value: bytes, key: bytes, headers: list[tuple[str, bytes]]) -> Any:
        self.records.append((topic, key, headers, value))
        done = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


async def relayed(senders: Senders | None = None) -> tuple[Any, list[tuple[str, bytes, list, bytes]]]:
    """A referral made by a bridge worker, accepted and started by the partner, relayed as the service relays it."""
    deps = await deps_with(*upstream())
    deps.senders = senders or deps.senders
    refer, accept, start = COMMANDS
    await handle(c.ReferToService(command_id=refer, tenant=TENANT, referral_id="r-1", question_id="q-1",
                                  service_id="svc-1", mode="warm-handoff"), WORKER, deps)
    await handle(c.Accept(command_id=accept, referral_id="r-1", organization_id=PARTNER), PARTNER_WORKER, deps)
    await handle(c.Start(command_id=start, referral_id="r-1", organization_id=PARTNER), PARTNER_WORKER, deps)
    producer = Captured()
    await Relay(deps.store, lambda: producer, topic_of(Settings(topic_prefix=""))).publish_pending()
    return deps, producer.records


def partner_records(records: list) -> list:
    return [r for r in records if r[0] == f"wegwijs.partner.{PARTNER}.referrals.v1"]


async def test_a_partners_record_carries_no_staff_id_command_id_or_correlation_id() -> None:
    _, records = await relayed()
    mine = partner_records(records)
    assert [Envelope.from_bytes(value).payload["status"] for *_, value in mine] == \
        ["requested", "accepted", "in-progress"]
    for _, key, headers, value in mine:
        raw = key + b"".join(name.encode() + v for name, v in headers) + value
        for secret in ("bw-ines-0042", "ocmw-staff-9917", *COMMANDS, "corr-front-7731", "corr-partner-5520"):
            assert secret.encode() not in raw, secret
        message = partner_feed.PartnerReferralMessage.model_validate_json(value)
        assert message.causation_id is None and message.correlation_id == message.event_id
        assert dict(headers)["correlation_id"] == message.event_id.encode()


async def test_the_domain_events_keep_the_caller_as_the_services_own_record() -> None:
    _, records = await relayed()
    domain = [Envelope.from_bytes(v) for topic, *_, v in records if topic == "wegwijs.referral.referral.v1"]
    assert [(e.actor.staff_id, e.causation_id, e.correlation_id) for e in domain] == [
        ("bw-ines-0042", COMMANDS[0], "corr-front-7731"), ("ocmw-staff-9917", COMMANDS[1], "corr-partner-5520"),
        ("ocmw-staff-9917", COMMANDS[2], "corr-partner-5520")]


async def test_a_partner_tells_its_senders_apart_by_pseudonyms_no_one_else_shares() -> None:
    senders = Senders(b"s" * 32)
    _, records = await relayed(senders)
    actors = [Envelope.from_bytes(value).actor for *_, value in partner_records(records)]
    assert [a.role for a in actors] == [Role.FRONT_OFFICE, Role.PARTNER, Role.PARTNER]
    worker, partner_worker, again = (a.staff_id for a in actors)
    assert partner_worker == again and worker != partner_worker  # the same sender, the same pseudonym
    assert worker == senders.pseudonym(PARTNER, "bw-ines-0042")
    assert worker != senders.pseudonym(OTHER_PARTNER, "bw-ines-0042")  # another partner cannot match it
    assert worker != Senders(b"t" * 32).pseudonym(PARTNER, "bw-ines-0042")  # nor anyone without the secret


async def test_relayed_partner_messages_keep_their_order_and_the_example_consumer_reads_them() -> None:
    _, records = await relayed()
    versions = [Envelope.from_bytes(value).stream_version for *_, value in partner_records(records)]
    assert versions == sorted(versions) == [2, 4, 6]
    broker, referrals = partner_consumer.build("localhost:9092", PARTNER, "g")
    async with TestKafkaBroker(broker) as test:
        for _, key, _, value in partner_records(records):
            await test.publish(value, partner_consumer.topic(PARTNER), key=key)
    assert referrals.latest[stream("r-1")][1].status == "in-progress"


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Senders(b"short")
