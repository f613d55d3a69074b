"""Errors every service maps to gRPC status codes in one place (the server interceptor).

Messages built from input stay bounded: `clip` cuts an echoed value, `few` names the first offending items and
counts the rest, so a request of 100,000 bad items or a 1 MB id never makes a 5 MB message or log line.
"""
from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

SHOWN = 5  # offending items named in one message; the rest are counted
# What a field's pattern asks, in words: a refusal says "should be <this>" instead of pydantic's "String should match
# pattern '<the regular expression>'". Every pattern of the requests and events has one (test_error_forms.py).
FORMS = {
    r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?$":
        "a time of day from 00:00 to 23:59 (HH:MM or HH:MM:SS), with Z or an offset such as +01:00 if any",
    r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$": "a time of day from 00:00 to 23:59 (HH:MM or HH:MM:SS)",
    r"^[A-Z]{3}$": "a currency code of three capital letters (ISO 4217), such as EUR",
    r"^[A-Z]{2}$": "a country code of two capital letters (ISO 3166), such as BE",
    r"^[01]\d{9}$": "an enterprise number (KBO) of 10 digits, starting with 0 or 1",
    r"^[a-z][a-z0-9.-]*$": "a code of small letters, digits, '.' and '-', starting with a letter",
    r"^[a-z][a-z0-9-]*$": "a municipality code of small letters, digits and '-', starting with a letter",
    r"^[A-Za-z0-9+/=]+$": "base64 text",
    r"^[A-Za-z0-9._-]+$": "an id of letters, digits, '.', '_' and '-'",
    r"^[A-Za-z0-9_-]+$": "an id of letters, digits, '_' and '-'",
    r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$": "an id of letters, digits, '_', '.', ':' and '-', starting with a letter or digit",
    r"^[0-9+ ()./-]*$": "a phone number: digits, spaces and + ( ) . / - only",
    r"^\d{4}-\d{2}-\d{2}$": "a day as YYYY-MM-DD",
    r"^\d{4}-(0[1-9]|1[0-2])$": "a month as YYYY-MM",
}
UNKNOWN_FORM = "in the form this field takes"
ECHO = 64  # characters of an input value echoed in a message
MESSAGE = 2000  # characters of a whole error message at most


def clip(value: object, limit: int = ECHO) -> str:
    """`value` as echoed in an error (a string as its repr), cut to `limit` characters with its full length told."""
    text = repr(value) if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(value) if isinstance(value, str) else len(text):,} characters)"


def few(items: Sequence[str], shown: int = SHOWN, sep: str = ", ") -> str:
    """The first `shown` items, then how many more: `a, b, c and 99,997 more`."""
    head = sep.join(items[:shown])
    return head if len(items) <= shown else f"{head} and {len(items) - shown:,} more"


def bounded(message: str, limit: int = MESSAGE) -> str:
    """A whole message cut to `limit` characters: the last guard for any text that reaches a status or a log."""
    return message if len(message) <= limit else f"{message[:limit]}… ({len(message):,} characters)"


class InvalidArgument(Exception):
    """Bad input: names the field and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # raised in a worker process, re-raised in the service
        return type(self), (self.field, self.reason)


class NotFound(Exception):
    """The thing asked for does not exist (or is not visible to the caller); `field` names where it was asked.

    Asked for by an empty `value`, it is bad input instead (the interceptor answers INVALID_ARGUMENT).
    """

    def __init__(self, message: str, field: str | None = None, value: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field, self.value, self.reason = field, value, message


class Unauthenticated(Exception):
    """No valid credentials: missing, expired, tampered or wrongly signed token."""


class PermissionDenied(Exception):
    """Valid credentials, but this principal may not do this (role, municipality or partner)."""


class FailedPrecondition(Exception):
    """The command does not fit the current state (a refused transition), with the reason."""


def violations(exc: ValidationError, shown: int = SHOWN) -> list[tuple[str, str]]:
    """The first `shown` pydantic errors as (field, reason), list positions as `themes[0]`, reasons clipped."""
    out = []
    for err in exc.errors(include_url=False, include_input=False)[:shown]:
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".") or "request"
        if err["type"] == "string_pattern_mismatch":
            out.append((field, f"should be {FORMS.get(err.get('ctx', {}).get('pattern', ''), UNKNOWN_FORM)}"))
            continue
        out.append((field, bounded(err["msg"], 200)))
    return out


def describe(exc: ValidationError) -> str:
    """Pydantic errors as `field: reason; field: reason`: the first few, then how many more."""
    parts = [f"{field}: {reason}" for field, reason in violations(exc)]
    rest = exc.error_count() - len(parts)
    return "; ".join(parts) + (f"; and {rest:,} more" if rest > 0 else "")
