"""Reads a bridge worker needs: one referral with its history, and paginated lists from the query model."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from contracts.envelope import Envelope
from contracts.events import referral as ev
from services.plumbing.errors import InvalidArgument, NotFound
from services.referral.application.handlers import Deps, not_found
from services.referral.application.located import history
from services.referral.domain.errors import Unknown
from services.referral.domain.referral import STATUS_AFTER, Referral


class ListQuery(BaseModel):
    model_config = ConfigDict(frozen=True)

    tenant: str = Field(min_length=1)
    page_size: int = Field(default=20, ge=0, le=100)
    page_token: str = ""

    @property
    def offset(self) -> int:
        if not self.page_token:
            return 0
        if not self.page_token.isdigit():
            raise InvalidArgument("page_token", "not a token this service issued")
        return int(self.page_token)

    @property
    def limit(self) -> int:
        return self.page_size or 20


@dataclass(frozen=True)
class Page:
    referrals: list[dict[str, Any]]
    next_page_token: str


@dataclass(frozen=True)
class Detail:
    referral: Referral
    view: dict[str, Any]
    history: list[Envelope]


async def get_referral(deps: Deps, tenant: str, referral_id: str) -> Detail:
    """The referral from its stream (the truth), with its history; partner views left out of the history."""
    at = await history(deps.store, tenant, referral_id)
    if not at.state.exists:
        raise _unknown("referral_id", "referral", referral_id)
    view = await deps.views.find(tenant, {"_id": at.stream}, 0, 1)
    own = [e for e in at.envelopes if e.type != ev.PartnerReferral.event_type]
    return Detail(at.state, view[0] if view else {}, own)


def _unknown(field: str, noun: str, value: str) -> NotFound:
    return not_found(Unknown(field, noun, value))


async def _office_known(deps: Deps, tenant: str, office_id: str) -> None:
    if not await deps.reference.office(tenant, office_id):
        raise _unknown("office_id", "office", office_id)


async def page(deps: Deps, q: ListQuery, where: dict[str, Any]) -> Page:
    docs = await deps.views.find(q.tenant, where, q.offset, q.limit + 1)
    more = len(docs) > q.limit
    return Page(docs[:q.limit], str(q.offset + q.limit) if more else "")


async def of_question(deps: Deps, q: ListQuery, question_id: str) -> Page:
    if await deps.reference.question(q.tenant, question_id) is None:
        raise _unknown("question_id", "question", question_id)
    return await page(deps, q, {"question_id": question_id})


async def open_of_office(deps: Deps, q: ListQuery, office_id: str) -> Page:
    await _office_known(deps, q.tenant, office_id)
    return await page(deps, q, {"office_id": office_id, "open": True})


async def overdue(deps: Deps, q: ListQuery, office_id: str | None) -> Page:
    if office_id:
        await _office_known(deps, q.tenant, office_id)
    where = {"status": "requested", "overdue": True} | ({"office_id": office_id} if office_id else {})
    return await page(deps, q, where)


class PartnerQuery(ListQuery):
    """A partner's list spans every municipality that refers to it."""

    tenant: str | None = None  # type: ignore[assignment]


STATUSES = frozenset(STATUS_AFTER.values())


async def of_partner(deps: Deps, q: PartnerQuery, partner: str, status: str | None) -> Page:
    """The referrals addressed to `partner` (its inbox), with `status` when one is given, oldest request first."""
    if status is not None and status not in STATUSES:
        raise InvalidArgument("status", f"{status!r} is not one of {', '.join(sorted(STATUSES))}")
    return await page(deps, q, {"organization_id": partner} | ({"status": status} if status else {}))
