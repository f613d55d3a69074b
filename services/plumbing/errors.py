"""Errors every service maps to gRPC status codes in one place (the server interceptor)."""
from __future__ import annotations

from pydantic import ValidationError


class InvalidArgument(Exception):
    """Bad input: names the field and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


class NotFound(Exception):
    """The thing asked for does not exist (or is not visible to the caller)."""


class Unauthenticated(Exception):
    """No valid credentials: missing, expired, tampered or wrongly signed token."""


class PermissionDenied(Exception):
    """Valid credentials, but this principal may not do this (role, municipality or partner)."""


class FailedPrecondition(Exception):
    """The command does not fit the current state (a refused transition), with the reason."""


def describe(exc: ValidationError) -> str:
    """Pydantic errors as `field: reason; field: reason`, with list positions as `themes[0]`."""
    parts = []
    for err in exc.errors():
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".") or "request"
        parts.append(f"{field}: {err['msg']}")
    return "; ".join(parts)
