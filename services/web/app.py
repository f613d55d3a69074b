"""The ASGI application: routes of the pages, sessions, security headers, static and vendored assets, error pages.

`create_app` is the composition root (tests build it with their own settings and client); `main.py` serves it.
"""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from services.client import Client, configured_credentials
from services.plumbing.auth import TokenIssuer, TokenRules, load_private
from services.plumbing.settings import Settings, read
from services.web import i18n, render, signin
from services.web.config import WebSettings
from services.web.pages import catalogue, front, partner, policy
from services.web.security import SecurityHeaders
from services.web.web import Web

STATIC = Path(__file__).resolve().parent / "static"
# Files of npm packages (deploy/local/web/package.json) the pages load, by the name they are served under /vendor/.
VENDOR = {"htmx.min.js": "htmx.org/dist/htmx.min.js",
          "plotly.min.js": "plotly.js-strict-dist-min/plotly-strict.min.js"}
PAGES = (signin, front, partner, policy, catalogue)  # each module has `routes`; a new page module is added here


def client(settings: Settings, web: WebSettings) -> Client:
    """One client of the four services (mutual TLS when configured), shared by all requests."""
    def address(given: str, port: int) -> str:
        return given or f"{settings.grpc_host}:{port}"
    return Client(address(web.intake_addr, settings.intake_port), address(web.insights_addr, settings.insights_port),
                  credentials=configured_credentials(settings),
                  referral=address(web.referral_addr, settings.referral_port),
                  catalogue=address(web.catalogue_addr, settings.catalogue_port))


def issuer(settings: Settings) -> TokenIssuer:
    key = load_private(read(settings.jwt_private_key_file, "jwt_private_key_file"))
    return TokenIssuer(key, TokenRules(max_lifetime_seconds=settings.token_max_lifetime_seconds))


async def vendor(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in VENDOR:
        raise HTTPException(404)
    path = request.app.state.web.settings.vendor_dir / VENDOR[name]
    if not path.exists():
        raise HTTPException(404, f"{path} is missing: run `make install` (deploy/local/web-assets)")
    return FileResponse(path, headers={"cache-control": "public, max-age=3600"})


async def healthz(_: Request) -> Response:
    """Alive (the runner waits for it); calls no service."""
    return PlainTextResponse("ok")


async def refused(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    return render.page(request, "error.html", status=status, status_code=status)


def create_app(web: WebSettings, settings: Settings, backend: Client | None = None, oidc: object = None) -> Starlette:
    for code in i18n.LANGUAGES:
        i18n.language(code)  # refuse to start without compiled catalogues
    secret = read(web.session_secret_file, "web_session_secret_file").strip()
    if len(secret) < 32:
        raise SystemExit("error: WEGWIJS_WEB_SESSION_SECRET_FILE holds fewer than 32 bytes")
    if oidc is None and web.oidc:
        from services.web.oidc import Oidc
        oidc = Oidc(web)
    routes = [r for module in PAGES for r in module.routes]
    routes += [Route("/healthz", healthz), Route("/vendor/{name}", vendor), Mount("/static", StaticFiles(directory=STATIC), name="static")]
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        """The gRPC channels belong to the server's event loop: made when it starts, closed when it stops."""
        own = backend is None
        app.state.web.client = backend or client(settings, web)
        try:
            yield
        finally:
            if own:
                await app.state.web.client.close()

    app = Starlette(
        routes=routes, lifespan=lifespan,
        middleware=[Middleware(SecurityHeaders, tls=web.tls),
                    Middleware(SessionMiddleware, secret_key=secret.decode(), session_cookie="wegwijs",
                               max_age=web.session_hours * 3600, same_site="lax", https_only=web.tls)],
        exception_handlers={HTTPException: refused})
    app.state.web = Web(web, backend, issuer(settings), oidc)
    return app
