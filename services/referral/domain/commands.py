"""Commands on referrals, validated at the edge: every error names its field and the reason."""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from contracts.events.referral import CancelledBy, CancelReason, FailReason, HoldReason, Mode, Outcome, Priority, \
    RejectReason
from services.plumbing.screening import screened

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
Tenant = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9-]*$")]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9.-]*$")]  # a theme code
# free text is screened (docs/architecture.md, personal data): the referral's note travels on the partner's topic,
# a partner's note in the referral's events to intake and its bridge workers
Note = Annotated[str | None, Field(default=None, max_length=500), screened("sent to partners")]
PartnerNote = Annotated[str | None, Field(default=None, max_length=500), screened("recorded in a referral's events")]


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    command_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    tenant: Tenant | None = None  # None: a partner, acting in any city (its referral's municipality is looked up)
    referral_id: Id


class ReferToService(Command):
    tenant: Tenant
    referral_id: Id | None = None  # None: a new id (one per command); a chosen one is the municipality's own
    question_id: Id
    service_id: Id
    mode: Mode
    priority: Priority = "routine"
    themes: tuple[Code, ...] = Field(default=(), max_length=8)  # empty = the question's themes
    note: Note = None


class PartnerCommand(Command):
    """A partner reports back; `organization_id` is the partner the caller acts for (from its credentials)."""

    organization_id: Id


class Accept(PartnerCommand):
    pass


class Reject(PartnerCommand):
    reason: RejectReason
    note: PartnerNote = None


class Start(PartnerCommand):
    pass


class Hold(PartnerCommand):
    reason: HoldReason
    note: PartnerNote = None


class Resume(PartnerCommand):
    pass


class Complete(PartnerCommand):
    outcome: Outcome
    went_alone: bool


class Fail(PartnerCommand):
    reason: FailReason
    note: PartnerNote = None


class Cancel(Command):
    by: CancelledBy
    organization_id: Id | None = None  # set when a partner cancels
    reason: CancelReason


class MarkEnteredInError(Command):
    pass


class FlagOverdue(Command):
    hours: int = Field(ge=1)
