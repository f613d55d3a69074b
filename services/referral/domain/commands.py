"""Commands on referrals, validated at the edge: every error names its field and the reason."""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from contracts.events.referral import CancelledBy, CancelReason, FailReason, HoldReason, Mode, Outcome, Priority, \
    RejectReason

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
Note = Annotated[str | None, Field(default=None, max_length=500)]


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    command_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    tenant: str | None = Field(default=None, min_length=1, max_length=64)  # None: a partner, acting in any city
    referral_id: Id


class ReferToService(Command):
    tenant: str = Field(min_length=1, max_length=64)
    question_id: Id
    service_id: Id
    mode: Mode
    priority: Priority = "routine"
    themes: tuple[str, ...] = Field(default=(), max_length=8)  # empty = the question's themes
    note: Note = None


class PartnerCommand(Command):
    """A partner reports back; `organization_id` is the partner the caller acts for (from its credentials)."""

    organization_id: Id


class Accept(PartnerCommand):
    pass


class Reject(PartnerCommand):
    reason: RejectReason
    note: Note = None


class Start(PartnerCommand):
    pass


class Hold(PartnerCommand):
    reason: HoldReason
    note: Note = None


class Resume(PartnerCommand):
    pass


class Complete(PartnerCommand):
    outcome: Outcome
    went_alone: bool


class Fail(PartnerCommand):
    reason: FailReason
    note: Note = None


class Cancel(Command):
    by: CancelledBy
    organization_id: str | None = None  # set when a partner cancels
    reason: CancelReason


class MarkEnteredInError(Command):
    pass


class FlagOverdue(Command):
    hours: int = Field(ge=1)
