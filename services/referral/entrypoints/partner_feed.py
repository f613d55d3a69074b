"""The partner feed as FastStream declares it, for its AsyncAPI document (docs/asyncapi/referral-partners.yaml).

Messages are published by the relay from the event store (the outbox), not by this broker: that keeps "the referral
was recorded" and "the partner will be told" one atomic write. This module declares the same topic and message
schema to FastStream, which generates the document; a test regenerates it and compares with the committed file.
Regenerate with `python -m services.referral.entrypoints.partner_feed`. What the envelope carries for a partner
(a pseudonym of the sender, none of the caller's ids) is made in `application/outbound.py`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from pydantic import ConfigDict, Field

from contracts import topics
from contracts.envelope import Actor, Envelope
from contracts.events.referral import PartnerReferral

DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "asyncapi" / "referral-partners.yaml"
DESCRIPTION = """\
Each partner organisation has its own Kafka topic carrying only the referrals addressed to it.
After every change of a referral (requested, accepted, ..., completed, flagged overdue) one message carries the
referral as the partner needs it to act: the client's pseudonym, the service, themes, languages, mode, priority,
status, and the reason or outcome of the change. Never contact details or names: intake keeps those encrypted and
shares none in events, and the request's free-text `note` is screened before it is recorded (a phone number, e-mail
address, national register number, IBAN or street address in it is refused to the sender). Key = the referral's
stream_id (per-referral order); deduplicate by (stream_id, stream_version). Referral ids are per municipality:
the envelope's `tenant` is the referral's municipality; name it when you report back on a `referral_id` that two
municipalities addressed to you.
Nothing of the caller's leaves with it: `actor.staff_id` is a pseudonym of the sender made for your organisation
alone (the same worker, the same pseudonym; no one else's pseudonym of that worker is the same, and it never
reveals the staff id), `causation_id` is always null, and `correlation_id` is the message's own `event_id`
(send it as `x-correlation-id` when you report back).
Report back through gRPC wegwijs.referral.v1.ReferralService (Accept, Reject, Start, Hold, Resume, Complete, Fail).
"""

CHANNEL = """\
One topic per partner organisation. An organisation id made only of letters, digits, `.`, `_` and `-`, of at most \
200 characters, is the topic's {organization_id} as it is. Any other id (a `:` as in a URN, a space, an accent, a \
longer id) would make a name Kafka refuses, so its topic has another shape, which no id of the first kind can give: \
`wegwijs.partner-hashed.<readable>.<digest>.referrals.v1`, where <digest> is the first 32 hexadecimal characters \
(lower case) of the SHA-256 of the id in UTF-8 and <readable> is the id's first 48 characters with every character \
other than a letter, digit, `.`, `_` or `-` replaced by `-`. Example: `urn:kortrijk:ocmw` → \
`wegwijs.partner-hashed.urn-kortrijk-ocmw.<digest>.referrals.v1` (contracts/topics.py, `partner_referrals`)."""


class PartnerReferralMessage(Envelope):
    """The envelope of every Wegwijs event, with a `PartnerReferral` payload and nothing of the caller's."""

    model_config = ConfigDict(frozen=True, title="PartnerReferralMessage")

    type: Literal["PartnerReferral"]
    schema_version: Literal[1]
    correlation_id: str = Field(description="The message's own event_id, never the caller's correlation id.")
    causation_id: None = Field(default=None, description="Always null: the caller's command id stays with Wegwijs.")
    actor: Actor = Field(description="The sender: a pseudonym made for your organisation alone, and its role.")
    payload: PartnerReferral


def broker() -> KafkaBroker:
    """A broker that only declares the partner feed (never connected)."""
    declared = KafkaBroker("kafka.example.org:9093", description="the municipality's Kafka (SASL_SSL)")
    declared.publisher(topics.PARTNER_REFERRALS, title="partner-referrals",
                       description=CHANNEL, schema=PartnerReferralMessage)
    return declared


def document() -> str:
    """The AsyncAPI 3.0 document as JSON, which is YAML too (YAML 1.2 is a superset; no PyYAML needed)."""
    spec = AsyncAPI(broker(), title="Wegwijs referral partner feeds", version="1.1.0", description=DESCRIPTION)
    doc = spec.to_specification().to_jsonable()
    doc["channels"]["partner-referrals"]["parameters"] = {
        "organization_id": {"description": "Your organisation's id in the Wegwijs catalogue, where it is a legal "
                                          "part of a topic name (else see the channel's description)."}}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    DOCUMENT.parent.mkdir(parents=True, exist_ok=True)
    DOCUMENT.write_text(document())
    print(f"wrote {DOCUMENT}")
