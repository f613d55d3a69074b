"""What a handler raised → the gRPC status its caller gets: code, bounded message, `google.rpc.Status` details.

One mapping for every service. Bad input carries a `BadRequest` with a `FieldViolation` per offending field (the
first few); an unexpected exception becomes INTERNAL without its Python class in the message (it is logged).
"""
from __future__ import annotations

from dataclasses import dataclass

import grpc
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status
from pydantic import ValidationError
from pymongo.errors import ConnectionFailure

from services.plumbing.errors import (
    FailedPrecondition, InvalidArgument, NotFound, PermissionDenied, Unauthenticated, bounded, describe, violations)
from services.plumbing.eventstore import ConcurrencyError, StoreUnavailable
from services.plumbing.keyring import KekUnavailable

Violations = tuple[tuple[str, str], ...]

_CODES: list[tuple[type[BaseException], grpc.StatusCode]] = [
    (InvalidArgument, grpc.StatusCode.INVALID_ARGUMENT),
    (NotFound, grpc.StatusCode.NOT_FOUND),
    (FailedPrecondition, grpc.StatusCode.FAILED_PRECONDITION),
    (Unauthenticated, grpc.StatusCode.UNAUTHENTICATED),
    (PermissionDenied, grpc.StatusCode.PERMISSION_DENIED),
    (ConcurrencyError, grpc.StatusCode.ABORTED),
    (StoreUnavailable, grpc.StatusCode.UNAVAILABLE),
    (KekUnavailable, grpc.StatusCode.UNAVAILABLE),
    (ConnectionFailure, grpc.StatusCode.UNAVAILABLE),
    (TimeoutError, grpc.StatusCode.DEADLINE_EXCEEDED),
]
DEEP = "nested deeper than this service reads"


@dataclass(frozen=True)
class Refusal:
    """A status to answer with; `violations` become the `BadRequest` detail."""

    code: grpc.StatusCode
    message: str
    violations: Violations = ()

    def trailing_metadata(self) -> tuple[tuple[str, bytes], ...]:
        """`grpc-status-details-bin`: the `google.rpc.Status` with its details, as grpcio-status reads it."""
        status = status_pb2.Status(code=self.code.value[0], message=self.message)
        if self.violations:
            status.details.add().Pack(error_details_pb2.BadRequest(field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=f, description=d) for f, d in self.violations]))
        return tuple(rpc_status.to_status(status).trailing_metadata)


def refusal(exc: BaseException) -> Refusal | None:
    """The status for an expected failure; None for anything else (a bug: the caller answers INTERNAL)."""
    if isinstance(exc, ValidationError):
        return Refusal(grpc.StatusCode.INVALID_ARGUMENT, describe(exc), tuple(violations(exc)))
    if isinstance(exc, RecursionError):
        return invalid("request", DEEP)
    if isinstance(exc, InvalidArgument):
        return invalid(exc.field, exc.reason)
    if isinstance(exc, NotFound) and exc.field is not None:
        if exc.value == "":
            return invalid(exc.field, "required")
        return Refusal(grpc.StatusCode.NOT_FOUND, bounded(str(exc)))
    code = next((c for e, c in _CODES if isinstance(exc, e)), None)
    return None if code is None else Refusal(code, bounded(str(exc) or code.name.lower()))


def invalid(field: str, reason: str) -> Refusal:
    field, reason = bounded(field, 200), bounded(reason)
    return Refusal(grpc.StatusCode.INVALID_ARGUMENT, f"{field}: {reason}", ((field, reason),))


def internal(correlation_id: str) -> Refusal:
    return Refusal(grpc.StatusCode.INTERNAL, f"internal error; correlation id {correlation_id}")
