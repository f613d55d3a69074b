"""Referrals still requested past the configured time are flagged overdue, once each (derived command ids)."""
from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import structlog

from contracts.envelope import Actor, Role
from services.referral.application.handlers import Context, Deps, handle
from services.referral.domain.commands import FlagOverdue

log = structlog.get_logger(__name__)
OVERDUE = uuid.UUID("0c7b6c1e-9f4a-4d55-8f0e-2b7f3f1e7a11")
ACTOR = Actor(staff_id="referral-overdue", role=Role.SYSTEM)


async def flag_overdue(deps: Deps, hours: int, batch: int = 200) -> int:
    """Flag every referral requested more than `hours` ago and not answered; returns how many were flagged."""
    due = await deps.views.requested_before(deps.now() - timedelta(hours=hours), batch)
    for doc in due:
        command_id = uuid.uuid5(OVERDUE, doc["_id"]).hex
        await handle(FlagOverdue(command_id=command_id, tenant=doc["tenant"], referral_id=doc["referral_id"],
                                 hours=hours), Context(ACTOR), deps)
    return len(due)


async def run(deps: Deps, hours: int, every_seconds: float) -> None:
    """The background task of the referral process."""
    while True:
        try:
            if flagged := await flag_overdue(deps, hours):
                log.info("referral.overdue_flagged", referrals=flagged)
        except Exception:  # the store may be briefly down; try again at the next round
            log.exception("referral.overdue_failed")
        await asyncio.sleep(every_seconds)
