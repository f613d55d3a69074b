"""What every page module shares: reading a form's values, calling a service so that a refusal becomes a Fault,
and the Brussels clock."""
from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import grpc
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from services.web import faults, render

BRUSSELS = ZoneInfo("Europe/Brussels")
T = TypeVar("T")


def values(data: FormData) -> dict[str, Any]:
    """The submitted values, to render the form again with them: lists for repeated fields, text otherwise."""
    out: dict[str, Any] = {}
    for key in data:
        items = [str(v) for v in data.getlist(key)]
        out[key] = items if len(items) > 1 or key in LISTS else items[0]
    return out


LISTS = {"themes", "barriers", "client_languages", "services"}


def listed(data: FormData | dict[str, Any], name: str) -> list[str]:
    got = data.getlist(name) if isinstance(data, FormData) else data.get(name, [])
    return [str(v).strip() for v in (got if isinstance(got, list) else [got]) if str(v).strip()]


def checked(data: FormData, name: str) -> bool:
    return str(data.get(name) or "") in ("on", "true", "1")


async def call(request: Request, awaitable: Awaitable[T], known: set[str] | frozenset[str] = frozenset()
               ) -> tuple[T | None, faults.Fault]:
    """The answer, or None and the refusal as messages for the fields of the form (`known`)."""
    try:
        return await awaitable, faults.Fault()
    except grpc.aio.AioRpcError as exc:
        return None, faults.from_rpc(exc, render.language(request), known)


async def found(request: Request, awaitable: Awaitable[T]) -> T:
    """The answer of a read; NOT_FOUND (another municipality's id looks the same) becomes the not-found page."""
    try:
        return await awaitable
    except grpc.aio.AioRpcError as exc:
        if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
            raise HTTPException(404, exc.details()) from None
        if exc.code() == grpc.StatusCode.PERMISSION_DENIED:
            raise HTTPException(403, exc.details()) from None
        if exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            raise HTTPException(503, exc.code().name) from None
        raise


def local(moment: str, pattern: str = "%d-%m-%Y %H:%M") -> str:
    """An RFC 3339 instant as Brussels time."""
    if not moment:
        return ""
    try:
        return datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone(BRUSSELS).strftime(pattern)
    except ValueError:
        return moment


def today() -> str:
    return datetime.now(BRUSSELS).date().isoformat()
