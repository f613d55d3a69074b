"""Every id a command or query names is resolved inside the caller's municipality before anything is decided.

One step for every handler and read (`resolved`): an id of another municipality and an id that exists nowhere get
the same NOT_FOUND "<field>: <what> '<id>' does not exist", so no answer tells one from the other. The ids a command
makes itself (`Command.creates`, e.g. OpenOffice's office_id) are not looked up; a bridge worker's staff_id is an
entity inside the office and is checked by the office aggregate.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any, TypeVar

from services.intake.application.unit import Deps
from services.intake.domain import office
from services.intake.domain.errors import Unknown

R = TypeVar("R")


async def _stream_of(deps: Deps, tenant: str, stream_id: str) -> bool:
    first = await deps.store.first(stream_id)
    return first is not None and first.tenant == tenant


async def _client(deps: Deps, tenant: str, client_id: str) -> bool:
    """A client has a stream from its first question or registration on; a pseudonym handed out by RegisterQuestion
    before that was so has none, and is known by its questions instead (the client's list of questions)."""
    return (await _stream_of(deps, tenant, client_id)
            or bool(await deps.views.of_client(tenant, client_id, limit=1)))


async def _question(deps: Deps, tenant: str, question_id: str) -> bool:
    return await _stream_of(deps, tenant, question_id)


async def _office(deps: Deps, tenant: str, office_id: str) -> bool:
    return await _stream_of(deps, tenant, office.stream_of(tenant, office_id))


# id field → (what it names, whether it exists in the municipality).
REFERENCES: dict[str, tuple[str, Callable[[Deps, str, str], Awaitable[bool]]]] = {
    "question_id": ("question", _question),
    "client_id": ("client", _client),
    "office_id": ("office", _office),
}
INSIDE_AGGREGATE = frozenset({"staff_id"})  # checked by the aggregate that holds them


async def resolve(request: Any, deps: Deps) -> None:
    """Raise Unknown naming the first id field whose id the caller's municipality does not have."""
    for name, (noun, exists) in REFERENCES.items():
        value = getattr(request, name, None)
        if value and name not in getattr(request, "creates", ()) and not await exists(deps, request.tenant, value):
            raise Unknown(f"{name}: {noun} {value!r} does not exist")


def resolved(use_case: Callable[..., Awaitable[R]]) -> Callable[..., Awaitable[R]]:
    """`use_case(request, ..., deps)` with the request's ids resolved first (`deps` is its last argument)."""
    @wraps(use_case)
    async def run(request: Any, *args: Any) -> R:
        await resolve(request, args[-1])
        return await use_case(request, *args)
    return run
