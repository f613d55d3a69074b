"""structlog, configured once per process. Every line carries the correlation id bound for the current message."""
from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

# Keys whose values never reach a log line: credentials and personal fields.
REDACTED_KEYS = frozenset(
    {"token", "authorization", "password", "secret", "contact", "contact_details", "notes", "note", "phone",
     "email", "name", "first_name", "last_name", "address", "national_number", "text"}
)


def redact(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Replace the value of every sensitive key with a marker, at any depth of dicts."""
    return {k: ("[redacted]" if k.lower() in REDACTED_KEYS else _redact_value(v)) for k, v in event_dict.items()}


def _redact_value(value: Any) -> Any:
    if isinstance(value, dict):
        return redact(None, "", value)
    return value


def configure(level: str = "info", json: bool | None = None) -> None:
    """Set up structlog for this process. JSON lines unless stdout is a terminal."""
    if json is None:
        json = not sys.stdout.isatty()
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level.upper()]),
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=True,
    )


def bind_correlation_id(correlation_id: str) -> None:
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
