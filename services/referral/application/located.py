"""Where a command's referral is: inside the caller's municipality, or for a partner in the one that addressed it.

Referral ids are per municipality (a bridge worker may choose one), so a referral's stream is scoped by tenant
(`referral:<tenant>:<id>`; one recorded before that keeps its bare-id stream, see eventstore.streams). A partner acts
in any municipality and names a referral by its id alone: it is looked for in every municipality, among those
addressed to that partner; the partner names the municipality (as on the message's envelope) only when two
addressed it under the same id.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from contracts.envelope import Envelope
from contracts.events import decode
from contracts.events.referral import ReferralRequested
from contracts.tenants import MUNICIPALITIES
from services.plumbing.errors import InvalidArgument
from services.plumbing.eventstore import EventStore, streams
from services.referral.domain import commands as c
from services.referral.domain import referral as r
from services.referral.domain.errors import UnknownReferral

PREFIX = "referral"
REFERRAL_IDS = uuid.UUID("7d1c2f0a-5e4b-4c1d-9a8e-3f2b1c0d9e87")


@dataclass(frozen=True)
class Located:
    stream: str
    tenant: str
    state: r.Referral
    envelopes: list[Envelope]


def new_referral_id(tenant: str, command_id: str) -> str:
    """The id of the referral a ReferToService names none for: a retry gets the same id."""
    return str(uuid.uuid5(REFERRAL_IDS, f"{tenant}/{command_id}"))


def _requested(first: Envelope) -> bool:
    return first.type == ReferralRequested.event_type


async def history(store: EventStore, tenant: str, referral_id: str) -> Located:
    """The referral of `tenant` replayed from its stream (not existing: no such referral in `tenant`)."""
    stream, envelopes = await streams.resolve(store, PREFIX, tenant, referral_id, _requested)
    state = r.Referral.replay(referral_id, ((decode(e), e.occurred_at) for e in envelopes))
    return Located(stream, tenant, state, envelopes)


async def addressed(store: EventStore, partner: str, referral_id: str, tenant: str | None) -> Located:
    """The referral `referral_id` addressed to `partner`, in `tenant` or, when None, in whichever municipality."""
    found = []
    for t in [tenant] if tenant else sorted(MUNICIPALITIES):
        located = await history(store, t, referral_id)
        if located.state.exists and located.state.organization_id == partner:
            found.append(located)
    if not found:
        raise UnknownReferral(referral_id)
    if len(found) > 1:
        raise InvalidArgument("tenant", f"referral {referral_id!r} is addressed to you by {len(found)} "
                                        "municipalities: name the one on the message's envelope")
    return found[0]


async def located(store: EventStore, cmd: c.Command) -> Located:
    """The existing referral a command on a referral names, as visible to its caller (else UnknownReferral)."""
    partner = r.partner_of(cmd)
    if partner is not None:
        return await addressed(store, partner, cmd.referral_id, cmd.tenant)
    if cmd.tenant is None:
        raise UnknownReferral(cmd.referral_id)
    found = await history(store, cmd.tenant, cmd.referral_id)
    r.visible(found.state, cmd)
    return found
