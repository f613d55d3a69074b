"""Who is signed in: the person kept in the signed session cookie, and the short-lived token minted for each call.

The cookie (Starlette's SessionMiddleware: itsdangerous-signed, HttpOnly, SameSite=Lax, Secure over TLS) holds the
person's claims and a CSRF token, never a bearer token: each request mints a token of a few minutes with the signing
key (the web application is the token issuer for the people it signed in), so no token reaches the browser.
"""
from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any

from starlette.requests import Request

from contracts.envelope import Role
from services.plumbing.auth import Principal, TokenIssuer

CALL_TOKEN_SECONDS = 300


@dataclass(frozen=True)
class Person:
    staff_id: str
    role: str
    municipality: str | None = None
    partner: str | None = None
    office: str | None = None  # the front office a bridge worker works at (chosen on the front page)
    expires: float = 0.0

    @property
    def principal(self) -> Principal:
        return Principal(staff_id=self.staff_id, role=Role(self.role), municipality=self.municipality,
                         partner=self.partner)


def csrf(request: Request) -> str:
    """This session's CSRF token (made on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def sign_in(request: Request, person: Person) -> None:
    """A fresh session for `person` (language kept; a new CSRF token, so one seen before sign-in is worth nothing)."""
    lang = request.session.get("lang")
    request.session.clear()
    request.session.update({"person": asdict(person), "csrf": secrets.token_urlsafe(32)})
    if lang:
        request.session["lang"] = lang


def sign_out(request: Request) -> None:
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang


def person(request: Request) -> Person | None:
    """The signed-in person, None when nobody is or the session has expired."""
    data: dict[str, Any] | None = request.session.get("person")
    if not data:
        return None
    found = Person(**data)
    return found if found.expires > time.time() else None


def set_office(request: Request, office: str) -> None:
    data = dict(request.session["person"])
    data["office"] = office
    request.session["person"] = data


def call_token(issuer: TokenIssuer, who: Person) -> str:
    """A token for one request's calls, ending with the session at the latest."""
    ttl = int(min(CALL_TOKEN_SECONDS, who.expires - time.time()))
    return issuer.issue(who.principal, ttl_seconds=max(ttl, 1))
