"""An example partner consumer of Wegwijs referrals: copy this file, set three environment variables, run it.

    pip install "faststream[kafka]" pydantic
    export WEGWIJS_KAFKA=kafka.example.org:9093 WEGWIJS_PARTNER=ocmw-kortrijk WEGWIJS_GROUP=ocmw-kortrijk-intake
    faststream run partner_consumer:create_app --factory

It reads your organisation's topic (only the referrals addressed to you) from the beginning, and keeps the latest
state of each referral, skipping repeated and older messages by (stream id, stream_version). Report back through
the gRPC API (`ReferralService.Accept`, `Reject`, `Start`, `Hold`, `Resume`, `Complete`, `Fail`; see
contracts/proto/referral.proto and docs/api/referral.md). Schema: docs/asyncapi/referral-partners.yaml.
Production brokers use SASL_SSL: pass `security=SASLScram512(...)` to KafkaBroker.
"""
from __future__ import annotations

import os
from datetime import datetime

from faststream import FastStream
from faststream.kafka import KafkaBroker
from pydantic import BaseModel


class PartnerReferral(BaseModel):
    referral_id: str
    service_id: str
    client_id: str  # a pseudonym: ask the bridge worker (warm hand-off) how to reach the client
    status: str  # requested | accepted | rejected | in-progress | on-hold | completed | failed | cancelled | ...
    change: str
    themes: list[str]
    client_languages: list[str]
    mode: str  # information | warm-handoff | accompanied
    priority: str  # routine | urgent
    requested_at: datetime
    overdue: bool = False
    reason: str | None = None
    outcome: str | None = None
    note: str | None = None


class Message(BaseModel):
    """The Wegwijs envelope (the fields a partner needs) with the referral as payload."""

    type: str
    stream_id: str
    stream_version: int
    payload: PartnerReferral


def topic(partner: str, prefix: str = "") -> str:
    return f"{prefix}wegwijs.partner.{partner}.referrals.v1"


class Referrals:
    """Latest state per referral; a repeated or older message changes nothing."""

    def __init__(self) -> None:
        self.latest: dict[str, tuple[int, PartnerReferral]] = {}

    def apply(self, message: Message) -> bool:
        seen = self.latest.get(message.stream_id)
        if message.type != "PartnerReferral" or (seen and seen[0] >= message.stream_version):
            return False
        self.latest[message.stream_id] = (message.stream_version, message.payload)
        return True


def build(bootstrap: str, partner: str, group: str, prefix: str = "") -> tuple[KafkaBroker, Referrals]:
    broker, referrals = KafkaBroker(bootstrap), Referrals()

    @broker.subscriber(topic(partner, prefix), group_id=group, auto_offset_reset="earliest")
    async def on_referral(message: Message) -> None:
        if referrals.apply(message) and message.payload.status == "requested":
            r = message.payload
            print(f"new referral {r.referral_id}: {', '.join(r.themes)} ({r.priority}, {r.mode}), "
                  f"languages {', '.join(r.client_languages)}")

    return broker, referrals


def create_app() -> FastStream:
    """The app for `faststream run --factory`, configured from the environment."""
    partner = os.environ["WEGWIJS_PARTNER"]
    broker, _ = build(os.environ.get("WEGWIJS_KAFKA", "127.0.0.1:9092"), partner,
                      os.environ.get("WEGWIJS_GROUP", f"{partner}-referrals"), os.environ.get("WEGWIJS_TOPIC_PREFIX", ""))
    return FastStream(broker)
