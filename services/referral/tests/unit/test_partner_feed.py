"""The partner feed's AsyncAPI document is generated from the code, and the example consumer reads what we send."""
from __future__ import annotations

from faststream.kafka import TestKafkaBroker

from contracts.envelope import Envelope
from services.referral.application.handlers import handle
from services.referral.domain import commands as c
from services.referral.entrypoints import partner_feed
from services.referral.examples import partner_consumer
from services.referral.tests.support import FRONT, PARTNER, PARTNER_CTX, TENANT, args, deps_with, upstream


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
    version, latest = referrals.latest["r-1"]
    assert (latest.status, version) == ("accepted", messages[-1].stream_version)
