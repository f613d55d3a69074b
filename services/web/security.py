"""Headers every answer carries (a strict Content-Security-Policy: only this origin's scripts and styles, nothing
inline) and the CSRF check every form post passes."""
from __future__ import annotations

import hmac

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.web import session

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}
CSRF_FIELD, CSRF_HEADER = "csrf", "x-csrf-token"


class SecurityHeaders:
    """Pure ASGI middleware: adds HEADERS (and HSTS over TLS) to every response; HTML is never cached."""

    def __init__(self, app: ASGIApp, tls: bool) -> None:
        self.app, self.tls = app, tls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = dict(HEADERS)
                if self.tls:
                    extra["strict-transport-security"] = "max-age=31536000"
                if any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers):
                    extra["cache-control"] = "no-store"
                headers += [(k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


async def form(request: Request) -> FormData:
    """The posted form, once its CSRF token (field `csrf` or header X-CSRF-Token) matches the session's: 403 else."""
    data = await request.form()
    sent = str(data.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or "")
    expected = request.session.get("csrf") or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(403, "csrf: the form's token is missing or does not match this session")
    session.csrf(request)
    return data
