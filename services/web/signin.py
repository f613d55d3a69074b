"""Signing in and out, and the language switch: OpenID Connect in production, the development page only when
WEGWIJS_WEB_DEV_SIGNIN is set (404 otherwise)."""
from __future__ import annotations

import asyncio
import time

import grpc

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from contracts.envelope import Role
from contracts.tenants import MUNICIPALITIES
from services.plumbing.auth import Principal, TokenRefused
from services.web import i18n, names, render, security, session
from services.web.oidc import SIGNABLE, SignInRefused
from services.web.web import web

HOME = {"front-office": "/front", "admin": "/front", "partner": "/partner", "policy": "/policy",
        "catalogue-admin": "/catalogue"}
DEV_ROLES = {r: r for r in ("front-office", "partner", "policy", "catalogue-admin", "admin")}  # shown as _(role)


async def home(request: Request) -> Response:
    who = session.person(request)
    return RedirectResponse(HOME.get(who.role, "/signin") if who else "/signin", status_code=303)


async def signin(request: Request) -> Response:
    w = web(request)
    return render.page(request, "signin.html", oidc=w.oidc is not None, dev=w.settings.dev_signin)


async def oidc_start(request: Request) -> Response:
    w = web(request)
    if w.oidc is None:
        raise HTTPException(404)
    return await w.oidc.start(request)


async def oidc_callback(request: Request) -> Response:
    w = web(request)
    if w.oidc is None:
        raise HTTPException(404)
    try:
        who = await w.oidc.finish(request)
    except SignInRefused as exc:
        return render.page(request, "signin.html", status=403, oidc=True, dev=w.settings.dev_signin,
                           general=[str(exc)])
    session.sign_in(request, who)
    return RedirectResponse(HOME[who.role], status_code=303)


def _dev_only(request: Request) -> None:
    if not web(request).settings.dev_signin:
        raise HTTPException(404)


async def _partners(request: Request) -> list[tuple[str, str]]:
    """The organisations of every municipality's catalogue (id, "name — municipality"), to pick the partner from:
    read with a development policy token per municipality; one that does not answer is left out."""
    w = web(request)
    if w.client is None:
        return []

    async def of(tenant: str) -> list[tuple[str, str]]:
        token = w.issuer.issue(Principal(staff_id="dev-signin", role=Role.POLICY, municipality=tenant), 60)
        try:
            found = await names.of(w.client.as_(token), tenant)
        except (grpc.aio.AioRpcError, ValueError, AssertionError):
            return []
        return [(oid, f"{name or oid} — {MUNICIPALITIES[tenant]}") for oid, name in found.organisations.items()]

    found = await asyncio.gather(*(of(t) for t in MUNICIPALITIES))
    return sorted((pair for pairs in found for pair in pairs), key=lambda p: p[1].lower())


async def _dev_page(request: Request, status: int = 200, **context: object) -> Response:
    return render.page(request, "dev_signin.html", status=status, roles=DEV_ROLES, municipalities=MUNICIPALITIES,
                       partners=await _partners(request), **context)


async def dev_signin(request: Request) -> Response:
    _dev_only(request)
    if request.method == "GET":
        return await _dev_page(request)
    data = await security.form(request)
    values = {k: str(data.get(k) or "").strip() for k in ("role", "municipality", "partner", "office", "staff_id")}
    lang, errors = render.language(request), {}
    role = values["role"]
    if role not in SIGNABLE:
        errors["role"] = lang.gettext("Choose a role.")
    if role == Role.PARTNER.value and not values["partner"]:
        errors["partner"] = lang.gettext("A partner names the partner organisation.")
    if role and role != Role.PARTNER.value and values["municipality"] not in MUNICIPALITIES:
        errors["municipality"] = lang.gettext("Choose the municipality.")
    who = session.Person(staff_id=values["staff_id"] or f"dev-{role}", role=role,
                         municipality=values["municipality"] if role != Role.PARTNER.value else None,
                         partner=values["partner"] if role == Role.PARTNER.value else None,
                         office=values["office"] or None, expires=time.time() + web(request).settings.session_hours * 3600)
    if not errors:
        try:
            session.call_token(web(request).issuer, who)  # the rules the services verify with, checked now
        except TokenRefused as exc:
            errors["staff_id"] = exc.reason
    if errors:
        return await _dev_page(request, 422, errors=errors, values=values)
    session.sign_in(request, who)
    return RedirectResponse(HOME[role], status_code=303)


async def signout(request: Request) -> Response:
    await security.form(request)
    session.sign_out(request)
    return RedirectResponse("/signin", status_code=303)


async def switch_language(request: Request) -> Response:
    data = await security.form(request)
    request.session["lang"] = i18n.chosen(str(data.get("lang")))
    back = str(data.get("next") or "/")
    return RedirectResponse(back if back.startswith("/") and not back.startswith("//") else "/", status_code=303)


routes = [
    Route("/", home),
    Route("/signin", signin),
    Route("/signin/oidc", oidc_start),
    Route("/auth/callback", oidc_callback),
    Route("/dev/signin", dev_signin, methods=["GET", "POST"]),
    Route("/signout", signout, methods=["POST"]),
    Route("/language", switch_language, methods=["POST"]),
]
