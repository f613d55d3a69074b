"""Prometheus metrics of a service process, served on `/metrics` at its gRPC port + WEGWIJS_METRICS_PORT_OFFSET.

The metrics live in prometheus_client's default registry, as the library intends: one process, one registry.
"""
from __future__ import annotations

import structlog
from prometheus_client import Counter, Gauge, start_http_server

from services.plumbing.settings import Settings

log = structlog.get_logger(__name__)

RELAY_PARKED_TOTAL = Counter("wegwijs_relay_parked_total",
                             "Commits the relay parked because Kafka refused them for good", ["service"])
RELAY_PARKED = Gauge("wegwijs_relay_parked_streams", "Streams with a parked commit now, waiting for an operator",
                     ["service"])
RELAY_PUBLISHED_TOTAL = Counter("wegwijs_relay_published_total", "Commits the relay published", ["service"])


def serve(settings: Settings, grpc_port: int) -> int | None:
    """Serve `/metrics` beside the gRPC API; the port, or None when off or taken (logged: the service runs on)."""
    if settings.metrics_port_offset == 0:
        return None
    port = grpc_port + settings.metrics_port_offset
    try:
        start_http_server(port, addr=settings.grpc_host)
    except OSError as exc:
        log.warning("metrics.unavailable", port=port, error=str(exc))
        return None
    return port
