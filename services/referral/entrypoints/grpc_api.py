"""ReferralService over gRPC: translates protobuf ↔ commands and queries only. No business rule here."""
from __future__ import annotations

from typing import Any, ClassVar

import grpc
import structlog

from contracts.envelope import Role, new_event_id
from contracts.proto import referral_pb2_grpc
from services.plumbing import auth
from services.referral.application import queries as q
from services.referral.application.handlers import Context, Deps, handle
from services.referral.domain import commands as c
from services.referral.entrypoints import messages as m

Ctx = grpc.aio.ServicerContext
FRONT = frozenset({Role.FRONT_OFFICE, Role.ADMIN})
PARTNERS = frozenset({Role.PARTNER, Role.ADMIN})
PARTNER_COMMANDS: dict[str, type[c.PartnerCommand]] = {
    "Accept": c.Accept, "Reject": c.Reject, "Start": c.Start, "Hold": c.Hold, "Resume": c.Resume,
    "Complete": c.Complete, "Fail": c.Fail}


def context() -> Context:
    correlation_id = structlog.contextvars.get_contextvars().get("correlation_id") or new_event_id()
    return Context(auth.current().actor, correlation_id)


def tenant_of(requested: str) -> str:
    return auth.scope_tenant(auth.current(), requested or None)


def partner_of(requested: str) -> str:
    """The partner the caller acts for: a partner its own; an admin names one. Never trusted from the body alone."""
    return auth.scope_partner(auth.current(), requested or None)


def _partner_fields(cls: type[c.PartnerCommand], r: Any) -> dict[str, Any]:
    fields = {"reason": m.optional(r.reason), "note": m.optional(r.note), "outcome": m.optional(r.outcome),
              "went_alone": r.went_alone}
    return {k: v for k, v in fields.items() if k in cls.model_fields}


class ReferralServicer(referral_pb2_grpc.ReferralServiceServicer):
    ACCESS: ClassVar[auth.Access] = {
        "ReferToService": FRONT, "Cancel": FRONT | PARTNERS, "MarkEnteredInError": FRONT,
        **{name: PARTNERS for name in PARTNER_COMMANDS},
        "GetReferral": FRONT, "ListReferralsOfQuestion": FRONT, "ListOpenReferralsOfOffice": FRONT,
        "ListOverdue": FRONT, "ListReferralsOfPartner": PARTNERS,
    }

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def _run(self, cmd: c.Command) -> Any:
        return m.reply(await handle(cmd, context(), self.deps))

    async def ReferToService(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._run(c.ReferToService(
            command_id=r.command_id, tenant=tenant_of(r.tenant), referral_id=m.optional(r.referral_id),
            question_id=r.question_id, service_id=r.service_id, mode=r.mode, priority=r.priority or "routine",
            themes=tuple(r.themes), note=m.optional(r.note)))

    async def _partner(self, name: str, r: Any) -> Any:
        cls = PARTNER_COMMANDS[name]
        return await self._run(cls(command_id=r.command_id, organization_id=partner_of(r.partner_id),
                                   tenant=m.optional(r.tenant), referral_id=r.referral_id,
                                   **_partner_fields(cls, r)))

    async def Accept(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._partner("Accept", r)

    async def Reject(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._partner("Reject", r)

    async def Start(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._partner("Start", r)

    async def Hold(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._partner("Hold", r)

    async def Resume(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._partner("Resume", r)

    async def Complete(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._partner("Complete", r)

    async def Fail(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._partner("Fail", r)

    async def Cancel(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        principal = auth.current()
        as_partner = principal.role is Role.PARTNER or (principal.role is Role.ADMIN and bool(r.partner_id))
        side = {"by": "partner", "organization_id": partner_of(r.partner_id)} if as_partner else {"by": "requester"}
        tenant = m.optional(r.tenant) if as_partner else tenant_of(r.tenant)  # a partner's: only narrows the search
        return await self._run(c.Cancel(command_id=r.command_id, tenant=tenant, referral_id=r.referral_id,
                                        reason=r.reason, **side))

    async def MarkEnteredInError(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._run(c.MarkEnteredInError(command_id=r.command_id, tenant=tenant_of(r.tenant),
                                                    referral_id=r.referral_id))

    async def GetReferral(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return m.detail(await q.get_referral(self.deps, tenant_of(r.tenant), r.referral_id))

    def _list(self, r: Any) -> q.ListQuery:
        return q.ListQuery(tenant=tenant_of(r.tenant), page_size=r.page_size, page_token=r.page_token)

    async def ListReferralsOfQuestion(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return m.page(await q.of_question(self.deps, self._list(r), r.question_id))

    async def ListOpenReferralsOfOffice(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return m.page(await q.open_of_office(self.deps, self._list(r), r.office_id))

    async def ListOverdue(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return m.page(await q.overdue(self.deps, self._list(r), m.optional(r.office_id)))

    async def ListReferralsOfPartner(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        query = q.PartnerQuery(page_size=r.page_size, page_token=r.page_token)
        return m.page(await q.of_partner(self.deps, query, partner_of(r.partner_id), m.optional(r.status)))
