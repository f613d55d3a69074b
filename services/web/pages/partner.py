"""The partner inbox (partner role): the referrals addressed to my organisation, by status, and the answers the
referral API takes — accept, reject with a reason, start, put on hold, resume, complete with the outcome and whether
the client went alone, fail. The API's rules decide; its refusals stand beside the fields they name. Each referral
names its service and organisation as the catalogue of its municipality calls them (`names.py`), never by id."""
from __future__ import annotations

import asyncio
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from services.web import names, render, security, words
from services.web.pages.common import call, checked, local, values
from services.web.web import backend, requires

STATUSES = ("requested", "accepted", "in-progress", "on-hold", "completed", "rejected", "failed", "cancelled")
ANSWERS = {"accept": "Accept", "reject": "Reject", "start": "Start", "hold": "Hold", "resume": "Resume",
           "complete": "Complete", "fail": "Fail"}
DONE = {"accept": words.N_("The referral is accepted."), "reject": words.N_("The referral is rejected."),
        "start": words.N_("The referral is started."), "hold": words.N_("The referral is on hold."),
        "resume": words.N_("The referral is resumed."), "complete": words.N_("The referral is completed."),
        "fail": words.N_("The referral is recorded as failed.")}
FIELDS = {"reason", "note", "outcome", "went_alone"}


async def _named(client: Any, referrals: list[Any]) -> dict[str, names.Names]:
    """The catalogue names of each municipality the referrals come from (a partner may read every city's); one whose
    catalogue does not answer is left out, and its referrals are shown without names."""
    tenants = sorted({r.tenant for r in referrals})
    found = await asyncio.gather(*(names.of(client, t) for t in tenants), return_exceptions=True)
    return {t: n for t, n in zip(tenants, found, strict=True) if isinstance(n, names.Names)}


async def _inbox(request: Request, status: str, code: int = 200, **context: Any) -> Response:
    if status not in STATUSES:
        raise HTTPException(404)
    client = backend(request)
    page, fault = await call(request, client.referral_call(
        "ListReferralsOfPartner", status=status, page_size=100, page_token=request.query_params.get("page", "")))
    referrals = list(page.referrals) if page else []
    named, lang = await _named(client, referrals), render.language(request)
    shown = [(n.service(r.service_id, lang), n.organisation(r.partner_id, lang)) if (n := named.get(r.tenant))
             else None for r in referrals]
    partner = next((n.organisations[r.partner_id] for r in referrals if (n := named.get(r.tenant))
                    and n.organisations.get(r.partner_id)), "")
    return render.page(request, "partner/inbox.html", status=code, current=status, statuses=STATUSES, words=words,
                       referrals=referrals, shown=shown, partner=partner,
                       next_page=page.next_page_token if page else "", local=local,
                       notice=request.session.pop("notice", None),
                       general=[*fault.general, *context.pop("general", [])], **context)


@requires("partner")
async def inbox(request: Request) -> Response:
    return await _inbox(request, request.query_params.get("status", "requested"))


def _answer_fields(answer: str, data: Any) -> dict[str, Any]:
    text = lambda name: str(data.get(name) or "").strip()  # noqa: E731
    if answer in ("reject", "hold", "fail"):
        return {"reason": text("reason"), "note": text("note")}
    if answer == "complete":
        return {"outcome": text("outcome"), "went_alone": checked(data, "went_alone")}
    return {}


@requires("partner")
async def answer(request: Request) -> Response:
    data = await security.form(request)
    referral_id, what = request.path_params["referral_id"], request.path_params["answer"]
    if what not in ANSWERS:
        raise HTTPException(404)
    fields = _answer_fields(what, data)
    done, fault = await call(request, backend(request).referral_call(ANSWERS[what], referral_id=referral_id, **fields),
                             FIELDS)
    status = str(data.get("status") or "requested")
    if done is None:
        return await _inbox(request, status if status in STATUSES else "requested", 422, failed=f"{referral_id}:{what}",
                            values=values(data), errors=fault.fields, general=fault.general)
    request.session["notice"] = render.language(request).gettext(DONE[what])
    return RedirectResponse(f"/partner?status={done.status}", status_code=303)


routes = [
    Route("/partner", inbox),
    Route("/partner/referrals/{referral_id}/{answer}", answer, methods=["POST"]),
]
