"""The HSDS 3.1 API over HTTP: public, read-only (GET), one municipality per path prefix (`/{municipality}/...`).

Translates only: parameters in, `adapters.hsds_api` answers out. Catalogue data is public (HSDS), so no token; this
app can reach the catalogue's read model and nothing else (no intake, referral or insights data lives here).
The rendered catalogue of a municipality is kept `ttl` seconds: a burst of requests renders it once.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import structlog
import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contracts.tenants import MUNICIPALITIES
from services.catalogue.adapters import hsds_api
from services.catalogue.adapters.hsds_api_spec import spec
from services.catalogue.application import hsds_export
from services.catalogue.application.handlers import Deps
from services.plumbing import offload, probes
from services.plumbing.errors import InvalidArgument, NotFound

log = structlog.get_logger(__name__)
HSDS_VERSION = "3.1"
PROFILE = "https://docs.openreferral.org/en/latest/hsds/"
Lister = Callable[[hsds_api.Snapshot, Any], list[dict[str, Any]]]


class Snapshots:
    """Each municipality's catalogue as HSDS documents, rendered off the event loop and kept `ttl` seconds."""

    def __init__(self, deps: Deps, ttl: float) -> None:
        self.deps, self.ttl = deps, ttl
        self._kept: dict[str, tuple[float, hsds_api.Snapshot]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def of(self, tenant: str) -> hsds_api.Snapshot:
        async with self._locks.setdefault(tenant, asyncio.Lock()):
            kept = self._kept.get(tenant)
            if kept is not None and time.monotonic() - kept[0] < self.ttl:
                return kept[1]
            catalogue = await hsds_export.catalogue(tenant, self.deps)
            snap = await offload.run(lambda _: hsds_api.snapshot(catalogue))
            self._kept[tenant] = (time.monotonic(), snap)
            return snap


def _error(status: int, field: str | None, reason: str) -> JSONResponse:
    return JSONResponse({"error": f"{field}: {reason}" if field else reason, "field": field, "reason": reason},
                        status_code=status)


def _tenant(request: Request) -> str:
    tenant = request.path_params["municipality"]
    if tenant not in MUNICIPALITIES:
        raise NotFound(f"unknown municipality {tenant!r}; one of {', '.join(sorted(MUNICIPALITIES))}",
                       field="municipality", value=tenant)
    return str(tenant)


def _base(request: Request, tenant: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/{tenant}"


def _ndjson(items: list[dict[str, Any]]) -> Iterator[bytes]:
    for item in items:
        yield (json.dumps(item, ensure_ascii=False) + "\n").encode()


def app(deps: Deps, schema_dir: Path, ttl: float = 5.0, health: Sequence[probes.Probe] = ()) -> Starlette:
    snapshots = Snapshots(deps, ttl)

    def listing(answer: Lister) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            params = request.query_params
            hsds_api.fmt(params)
            paging = hsds_api.Paging.of(params)
            items = answer(await snapshots.of(_tenant(request)), params)
            if hsds_api.fmt(params) == "ndjson":  # every result, unpaged, one JSON object a line
                return StreamingResponse(_ndjson(items), media_type="application/x-ndjson")
            return JSONResponse(hsds_api.page(items, paging))
        return endpoint

    def single(answer: Callable[[hsds_api.Snapshot, str, Any], dict[str, Any]]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            snap = await snapshots.of(_tenant(request))
            return JSONResponse(answer(snap, request.path_params["id"], request.query_params))
        return endpoint

    async def root(request: Request) -> Response:
        base = _base(request, _tenant(request))
        return JSONResponse({"version": HSDS_VERSION, "profile": PROFILE, "openapi_url": f"{base}/openapi.json"})

    async def openapi(request: Request) -> Response:
        return JSONResponse(spec(schema_dir, _base(request, _tenant(request))))

    async def municipalities(request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        return JSONResponse({"version": HSDS_VERSION, "municipalities": [
            {"code": m, "url": f"{base}/{m}/", "openapi_url": f"{base}/{m}/openapi.json"}
            for m in sorted(MUNICIPALITIES)]})

    async def healthz(_: Request) -> Response:
        failing = await probes.failing(health, 3.0)
        return JSONResponse({"status": "not serving" if failing else "serving", "failing": failing},
                            status_code=503 if failing else 200)

    async def invalid(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, InvalidArgument)
        return _error(400, exc.field, exc.reason)

    async def missing(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, NotFound)
        return _error(404, exc.field, exc.reason)

    m = "/{municipality}"
    routes = [
        Route("/", municipalities), Route("/healthz", healthz),
        Route(m, root), Route(f"{m}/", root), Route(f"{m}/openapi.json", openapi),
        Route(f"{m}/services", listing(hsds_api.services)),
        Route(m + "/services/{id}", single(lambda s, i, _: hsds_api.service(s, i))),
        Route(f"{m}/organizations", listing(hsds_api.organizations)),
        Route(m + "/organizations/{id}", single(hsds_api.organization)),
        Route(f"{m}/service_at_locations", listing(hsds_api.service_at_locations)),
        Route(m + "/service_at_locations/{id}", single(lambda s, i, _: hsds_api.service_at_location(s, i))),
        Route(f"{m}/taxonomies", listing(hsds_api.taxonomies)),
        Route(m + "/taxonomies/{id}", single(lambda s, i, _: hsds_api.taxonomy_of(s, i))),
        Route(f"{m}/taxonomy_terms", listing(hsds_api.taxonomy_terms)),
        Route(m + "/taxonomy_terms/{id}", single(lambda s, i, _: hsds_api.taxonomy_term(s, i))),
    ]
    return Starlette(routes=routes, exception_handlers={InvalidArgument: invalid, NotFound: missing},
                     middleware=[Middleware(Public)])


class Public:
    """Public data, read-only: any site may read it (CORS `*`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Access-Control-Allow-Origin"] = "*"
            await send(message)
        await self.app(scope, receive, with_cors if scope["type"] == "http" else send)


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: the process's SIGTERM handling (the gRPC server's) stops it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(application: Starlette, host: str, port: int, bound: Callable[[int], None] | None = None) -> None:
    """Serve until cancelled; then stop accepting, finish the requests in flight, return. A port already taken is
    logged and the service runs on without this API (as the metrics endpoint does)."""
    try:
        sock = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as exc:
        log.warning("hsds_api.unavailable", port=port, error=str(exc))
        return
    server = _Server(uvicorn.Config(application, log_config=None, access_log=False, lifespan="off",
                                    server_header=False))
    task = asyncio.ensure_future(server.serve(sockets=[sock]))
    log.info("hsds_api.serving", listen=f"{host}:{sock.getsockname()[1]}")
    if bound is not None:
        bound(sock.getsockname()[1])
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        server.should_exit = True
        await task
        raise
    finally:
        sock.close()
