"""What leaves for a partner: the partner view's envelope with nothing of the caller's but a pseudonym.

A command's domain events keep the caller's staff id, command id and correlation id: they are the referral service's
own record. The partner view goes to another organisation, so its envelope, stored as sent (the commit is the
outbox and the record of what was disclosed), carries instead
- the sender as a pseudonym of its own per partner: HMAC-SHA256 of the staff id under a key derived from the
  referral service's secret and the partner's id. A partner can tell its senders apart (the same worker, the same
  pseudonym) without learning who they are; two partners cannot match theirs; without the secret no one can test a
  guessed staff id against it;
- no causation id (the caller's command id);
- its own event id as correlation id (never the caller's): a partner reporting back may send it as
  `x-correlation-id`, and an operator finds the commit, and so the command, by that event id.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from contracts.envelope import Actor, Envelope
from contracts.events.referral import PartnerReferral
from services.plumbing.eventstore import Commit

MIN_SECRET_BYTES = 32
_PARTNER_KEY = b"wegwijs/referral/partner-sender/v1\x00"


@dataclass(frozen=True)
class Senders:
    """Per-partner pseudonyms of senders, from the referral service's secret (WEGWIJS_REFERRAL_PARTNER_SECRET_FILE)."""

    secret: bytes = field(default_factory=lambda: secrets.token_bytes(MIN_SECRET_BYTES), repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the partner secret must hold at least {MIN_SECRET_BYTES} bytes")

    def pseudonym(self, organization_id: str, staff_id: str) -> str:
        key = hmac.new(self.secret, _PARTNER_KEY + organization_id.encode(), hashlib.sha256).digest()
        return "sender-" + hmac.new(key, staff_id.encode(), hashlib.sha256).hexdigest()[:32]


def for_partner(envelope: Envelope, senders: Senders) -> Envelope:
    """The partner view's envelope as its partner receives it."""
    sender = senders.pseudonym(envelope.payload["organization_id"], envelope.actor.staff_id)
    return envelope.model_copy(update={"actor": Actor(staff_id=sender, role=envelope.actor.role),
                                       "causation_id": None, "correlation_id": envelope.event_id})


def addressed(commit: Commit, senders: Senders) -> Commit:
    """The commit with each partner view's envelope as its partner receives it; domain events untouched."""
    events = tuple(for_partner(e, senders) if e.type == PartnerReferral.event_type else e for e in commit.events)
    return commit.model_copy(update={"events": events})
