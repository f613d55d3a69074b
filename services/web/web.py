"""What every page handler reaches through `request.app.state.web`: the settings, the one gRPC client (all four
services, mutual TLS) and the token issuer; and the guards that let only the right role in."""
from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services.client import Client
from services.plumbing.auth import TokenIssuer
from services.web import session
from services.web.config import WebSettings

Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class Web:
    settings: WebSettings
    client: Client | None  # made when the server starts (its event loop)
    issuer: TokenIssuer
    oidc: Any = None  # services.web.oidc.Oidc when an issuer is configured


def web(request: Request) -> Web:
    return request.app.state.web


def backend(request: Request) -> Client:
    """The gRPC client acting as the signed-in person (a token minted for this request)."""
    who = session.person(request)
    assert who is not None, "backend() is used behind requires()"
    w = web(request)
    assert w.client is not None, "the client is made at startup"
    return w.client.as_(session.call_token(w.issuer, who))


def tenant(request: Request) -> str:
    """The municipality calls name: the person's own (an admin acts for the one chosen at sign-in)."""
    who = session.person(request)
    return (who.municipality if who else None) or ""


def requires(*roles: str) -> Callable[[Handler], Handler]:
    """Only signed-in people with one of `roles`: others are sent to sign in (GET) or refused (403)."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: Request) -> Response:
            who = session.person(request)
            if who is None:
                if request.method == "GET":
                    return RedirectResponse("/signin", status_code=303)
                raise HTTPException(401, "sign in first")
            if who.role not in roles:
                raise HTTPException(403, f"role {who.role} may not open this page")
            return await handler(request)

        return guarded

    return wrap
