"""gRPC server bootstrap: asyncio server, health, reflection, auth, error mapping, correlation ids, graceful shutdown."""
from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
import structlog
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from contracts.envelope import Role, new_event_id
from services.plumbing import auth, bounds, probes, reflection_v1, statuses
from services.plumbing.errors import PermissionDenied, Unauthenticated
from services.plumbing.log import bind_correlation_id
from services.plumbing.settings import Settings, read

log = structlog.get_logger(__name__)
CORRELATION_HEADER = "x-correlation-id"
OPEN_SERVICES = frozenset({health.SERVICE_NAME, reflection.SERVICE_NAME, reflection_v1.SERVICE_NAME})  # callable without a token


@dataclass(frozen=True)
class Service:
    """A servicer to mount: its full proto name, how to add it, and who may call each of its methods."""

    name: str
    add: Callable[[grpc.aio.Server], None]
    access: auth.Access


class Guard(grpc.aio.ServerInterceptor):
    """Every call: bind the correlation id, authenticate, check the method's declared roles, decode and bound the
    request, honour the client's deadline, map errors (statuses.refusal)."""

    def __init__(self, verifier: auth.TokenVerifier, access: Mapping[str, auth.Access],
                 limits: bounds.Limits = bounds.Limits()) -> None:
        self.verifier, self.access, self.limits = verifier, access, limits
        self.system = frozenset(name for name, declared in access.items() if auth.accepts_system(declared))

    async def intercept_service(self, continuation: Callable[..., Awaitable[Any]],
                                details: grpc.HandlerCallDetails) -> Any:
        handler = await continuation(details)
        service, _, method = details.method.lstrip("/").partition("/")
        if handler is None or handler.unary_unary is None or service in OPEN_SERVICES:
            return handler
        behaviour, deserializer = handler.unary_unary, handler.request_deserializer

        async def guarded(raw: bytes, context: grpc.aio.ServicerContext) -> Any:
            metadata = dict(context.invocation_metadata() or ())
            correlation_id = metadata.get(CORRELATION_HEADER) or new_event_id()
            bind_correlation_id(correlation_id)
            try:
                principal = self._authorise(service, method, metadata.get("authorization", ""))
                auth.bind(principal)
                request = await bounds.request(deserializer, raw, self.limits)
                async with asyncio.timeout(_remaining(context)):
                    return await behaviour(request, context)
            except grpc.aio.AbortError:
                raise
            except Exception as exc:  # noqa: BLE001 (every failure answers a status; bugs as INTERNAL)
                refusal = statuses.refusal(exc)
                if refusal is None:
                    log.exception("grpc.failed", method=details.method)
                    refusal = statuses.internal(correlation_id)
                await _abort(context, details.method, refusal)

        return grpc.unary_unary_rpc_method_handler(guarded, response_serializer=handler.response_serializer)

    def _authorise(self, service: str, method: str, authorization: str) -> auth.Principal:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("missing bearer token in 'authorization' metadata")
        principal = self.verifier.verify(token)
        if principal.role is Role.SYSTEM and service not in self.system:
            raise Unauthenticated(f"token refused: role: {service} does not accept system tokens")
        structlog.contextvars.bind_contextvars(staff_id=principal.staff_id, role=principal.role.value)
        if method not in self.access.get(service, {}):
            raise PermissionDenied(f"{method}: no access declared for this method")
        if not auth.allowed(self.access[service], method, principal.role):
            raise PermissionDenied(f"{method}: role {principal.role.value} may not call it")
        return principal


def _remaining(context: grpc.aio.ServicerContext) -> float | None:
    """Seconds left of the client's deadline (None: no deadline); a deadline already past refuses the call."""
    remaining = context.time_remaining()
    if remaining is not None and remaining <= 0:
        raise TimeoutError
    return remaining


async def _abort(context: grpc.aio.ServicerContext, method: str, refusal: statuses.Refusal) -> None:
    log.info("grpc.refused", method=method, code=refusal.code.name, reason=refusal.message)
    await context.abort(refusal.code, refusal.message, trailing_metadata=refusal.trailing_metadata())


def server_credentials(cert: bytes, key: bytes, client_ca: bytes | None) -> grpc.ServerCredentials:
    """TLS; mutual when a client CA is given (clients must then present a certificate it signed)."""
    return grpc.ssl_server_credentials([(key, cert)], root_certificates=client_ca,
                                       require_client_auth=client_ca is not None)


@dataclass(frozen=True)
class Health:
    """What the health service reports: SERVING while every probe passes, probed every `every` seconds (NOT_SERVING
    after `failures` failed probes in a row, each given `timeout` seconds)."""

    probes: Sequence[probes.Probe] = ()
    every: float = 5.0
    timeout: float = 3.0
    failures: int = 2


async def serve(address: str, services: Iterable[Service], verifier: auth.TokenVerifier, grace_seconds: float = 5.0,
                credentials: grpc.ServerCredentials | None = None, stopping: asyncio.Event | None = None,
                bound: Callable[[int], None] | None = None, limits: bounds.Limits = bounds.Limits(),
                checks: Health = Health()) -> None:
    """Run a gRPC server until SIGTERM/SIGINT (or `stopping` is set), then drain calls for `grace_seconds`.

    `bound` is told the port actually bound (useful with port 0 in tests).
    """
    services = list(services)
    server = grpc.aio.server(interceptors=[Guard(verifier, {s.name: s.access for s in services}, limits)])
    for s in services:
        s.add(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [s.name for s in services]
    reflection_v1.enable([*names, health.SERVICE_NAME], server)
    port = server.add_insecure_port(address) if credentials is None else server.add_secure_port(address, credentials)
    await server.start()
    if bound is not None:
        bound(port)

    async def report(serving: bool) -> None:
        status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in ["", *names]:
            await health_servicer.set(name, status)

    await report(not await probes.failing(checks.probes, checks.timeout))
    watching = asyncio.create_task(probes.watch(checks.probes, report, checks.every, checks.timeout,
                                                checks.failures))
    log.info("grpc.serving", listen=address, services=names, tls=credentials is not None)
    if stopping is None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
    try:
        await stopping.wait()
    finally:
        watching.cancel()
        await asyncio.gather(watching, return_exceptions=True)
    log.info("grpc.stopping", grace_seconds=grace_seconds)
    await health_servicer.enter_graceful_shutdown()
    await server.stop(grace_seconds)


def security(settings: Settings) -> tuple[auth.TokenVerifier, grpc.ServerCredentials | None]:
    """Token verifier and (optional) TLS credentials from settings; a missing key stops the service at start."""
    verifier = auth.TokenVerifier(auth.load_public(read(settings.jwt_public_key_file, "jwt_public_key_file")),
                                  rules=auth.TokenRules(max_lifetime_seconds=settings.token_max_lifetime_seconds))
    if settings.tls_cert_file is None and settings.tls_key_file is None:
        return verifier, None
    client_ca = read(settings.tls_client_ca_file, "tls_client_ca_file") if settings.tls_client_ca_file else None
    return verifier, server_credentials(read(settings.tls_cert_file, "tls_cert_file"),
                                        read(settings.tls_key_file, "tls_key_file"), client_ca)
