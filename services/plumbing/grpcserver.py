"""gRPC server bootstrap: asyncio server, health, reflection, error mapping, correlation ids, graceful shutdown."""
from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import grpc
import structlog
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from pydantic import ValidationError

from contracts.envelope import new_event_id
from services.plumbing.errors import FailedPrecondition, InvalidArgument, NotFound, describe
from services.plumbing.eventstore import ConcurrencyError, StoreUnavailable
from services.plumbing.log import bind_correlation_id

log = structlog.get_logger(__name__)
CORRELATION_HEADER = "x-correlation-id"

_STATUS: list[tuple[type[BaseException], grpc.StatusCode]] = [
    (InvalidArgument, grpc.StatusCode.INVALID_ARGUMENT),
    (NotFound, grpc.StatusCode.NOT_FOUND),
    (FailedPrecondition, grpc.StatusCode.FAILED_PRECONDITION),
    (ConcurrencyError, grpc.StatusCode.ABORTED),
    (StoreUnavailable, grpc.StatusCode.UNAVAILABLE),
]


class ErrorsAndCorrelation(grpc.aio.ServerInterceptor):
    """Binds the caller's correlation id to every log line and turns domain errors into status codes."""

    async def intercept_service(self, continuation: Callable[..., Awaitable[Any]],
                                details: grpc.HandlerCallDetails) -> Any:
        handler = await continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler
        behaviour, method = handler.unary_unary, details.method

        async def wrapped(request: Any, context: grpc.aio.ServicerContext) -> Any:
            metadata = dict(context.invocation_metadata() or ())
            bind_correlation_id(metadata.get(CORRELATION_HEADER) or new_event_id())
            try:
                return await behaviour(request, context)
            except ValidationError as exc:
                await _abort(context, method, grpc.StatusCode.INVALID_ARGUMENT, describe(exc))
            except tuple(e for e, _ in _STATUS) as exc:
                code = next(c for e, c in _STATUS if isinstance(exc, e))
                await _abort(context, method, code, str(exc))

        return grpc.unary_unary_rpc_method_handler(
            wrapped, request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer)


async def _abort(context: grpc.aio.ServicerContext, method: str, code: grpc.StatusCode, message: str) -> None:
    log.info("grpc.refused", method=method, code=code.name, reason=message)
    await context.abort(code, message)


Register = Callable[[grpc.aio.Server], None]


async def serve(address: str, register: Iterable[Register], service_names: Iterable[str],
                grace_seconds: float = 5.0, interceptors: Iterable[grpc.aio.ServerInterceptor] = (),
                credentials: grpc.ServerCredentials | None = None,
                stopping: asyncio.Event | None = None, bound: Callable[[int], None] | None = None) -> None:
    """Run a gRPC server until SIGTERM/SIGINT (or `stopping` is set), then drain calls for `grace_seconds`.

    `bound` is told the port actually bound (useful with port 0 in tests).
    """
    server = grpc.aio.server(interceptors=[*interceptors, ErrorsAndCorrelation()])
    for add in register:
        add(server)
    names = list(service_names)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection([*names, health.SERVICE_NAME, reflection.SERVICE_NAME], server)
    port = server.add_insecure_port(address) if credentials is None else server.add_secure_port(address, credentials)
    await server.start()
    if bound is not None:
        bound(port)
    for name in ["", *names]:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    log.info("grpc.serving", address=address, services=names)
    if stopping is None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
    await stopping.wait()
    log.info("grpc.stopping", grace_seconds=grace_seconds)
    await health_servicer.enter_graceful_shutdown()
    await server.stop(grace_seconds)
