"""On the real Kafka and FerretDB: what a partner reads from its topic holds nothing of its senders' but a
pseudonym (no staff id, command id or correlation id in the key, the headers or the value), in per-referral order."""
from __future__ import annotations

import uuid

import pytest

from contracts import topics
from contracts.envelope import Actor, Envelope, Role
from services.plumbing import kafka
from services.plumbing.relay import Relay
from services.referral.application.handlers import Context, handle
from services.referral.bootstrap import topic_of
from services.referral.domain import commands as c
from services.referral.tests.support import PARTNER, TENANT, stream, upstream
from tests.e2e.kafka_read import read_until

pytestmark = pytest.mark.integration
WORKER = Context(Actor(staff_id="bw-ines-0042", role=Role.FRONT_OFFICE), "corr-front-7731")
PARTNER_WORKER = Context(Actor(staff_id="ocmw-staff-9917", role=Role.PARTNER), "corr-partner-5520")


async def test_the_partner_topic_carries_no_staff_id_command_id_or_correlation_id(deps, settings) -> None:
    for e in upstream():
        await deps.reference.learn(e)
    commands = [f"cmd-{step}-{uuid.uuid4().hex[:8]}" for step in ("refer", "accept", "start")]
    await handle(c.ReferToService(command_id=commands[0], tenant=TENANT, referral_id="r-kafka", question_id="q-1",
                                  service_id="svc-1", mode="warm-handoff"), WORKER, deps)
    for command_id, cls in zip(commands[1:], (c.Accept, c.Start), strict=True):
        await handle(cls(command_id=command_id, referral_id="r-kafka", organization_id=PARTNER), PARTNER_WORKER, deps)
    partner_topic = topics.partner_referrals(PARTNER)
    await kafka.ensure_topics(settings, [settings.topic(t) for t in (partner_topic, topics.REFERRAL_REFERRALS)])
    assert await Relay(deps.store, lambda: kafka.producer(settings, "it-relay"), topic_of(settings)).publish_pending()

    records = await read_until(settings, [partner_topic], lambda rs: len(rs) >= 3, seconds=20)
    messages = [Envelope.from_bytes(r.value) for r in records]
    assert [(m.stream_id, m.stream_version, m.payload["status"]) for m in messages] == [
        (stream("r-kafka"), 2, "requested"), (stream("r-kafka"), 4, "accepted"), (stream("r-kafka"), 6, "in-progress")]
    for record in records:
        raw = (record.key or b"") + b"".join(k.encode() + v for k, v in record.headers) + record.value
        for secret in ("bw-ines-0042", "ocmw-staff-9917", *commands, "corr-front-7731", "corr-partner-5520"):
            assert secret.encode() not in raw, secret
    senders = {m.actor.staff_id for m in messages}
    assert senders == {deps.senders.pseudonym(PARTNER, "bw-ines-0042"),
                       deps.senders.pseudonym(PARTNER, "ocmw-staff-9917")}
