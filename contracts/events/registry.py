"""Registry of event types by (name, version), with upcasting of old versions on read."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from contracts.envelope import Envelope


class DomainEvent(BaseModel):
    """Base of every event payload: frozen, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int]
    topic: ClassVar[str]


class UnknownEventType(LookupError):
    """An event whose type or version this code does not know (a poison message for consumers)."""


Upcast = Callable[[dict[str, Any]], dict[str, Any]]
E = TypeVar("E", bound=type[DomainEvent])


@dataclass
class EventRegistry:
    types: dict[tuple[str, int], type[DomainEvent]] = field(default_factory=dict)
    upcasters: dict[tuple[str, int], Upcast] = field(default_factory=dict)
    _current: dict[str, type[DomainEvent]] = field(default_factory=dict, repr=False)  # name → newest, looked up

    def register(self, cls: type[DomainEvent]) -> None:
        key = (cls.event_type, cls.schema_version)
        if key in self.types:
            raise ValueError(f"event type {key} registered twice")
        self.types[key] = cls
        self._current.pop(cls.event_type, None)

    def current(self, name: str) -> type[DomainEvent]:
        if (known := self._current.get(name)) is not None:
            return known
        versions = [v for (n, v) in self.types if n == name]
        if not versions:
            raise UnknownEventType(f"unknown event type {name!r}")
        found = self._current[name] = self.types[(name, max(versions))]
        return found

    def decode(self, name: str, version: int, payload: dict[str, Any]) -> DomainEvent:
        """Validate a payload of any known version as the current version of its type."""
        target = self.current(name)
        while version < target.schema_version:
            step = self.upcasters.get((name, version))
            if step is None:
                raise UnknownEventType(f"no upcaster for {name} v{version}")
            payload, version = step(payload), version + 1
        if version != target.schema_version:
            raise UnknownEventType(f"{name} v{version} is newer than this code knows (v{target.schema_version})")
        return target.model_validate(payload)


registry = EventRegistry()


def event(name: str, version: int, topic: str) -> Callable[[E], E]:
    """Class decorator: register a payload model as event `name` at `version`, published on `topic`."""

    def wrap(cls: E) -> E:
        cls.event_type, cls.schema_version, cls.topic = name, version, topic
        registry.register(cls)
        return cls

    return wrap


def upcaster(name: str, from_version: int) -> Callable[[Upcast], Upcast]:
    """Register a function that turns the payload of `name` v`from_version` into v`from_version + 1`."""

    def wrap(fn: Upcast) -> Upcast:
        registry.upcasters[(name, from_version)] = fn
        return fn

    return wrap


_recent: dict[str, DomainEvent] = {}
_last: tuple[Envelope | None, DomainEvent | None] = (None, None)


def decode(envelope: Envelope) -> DomainEvent:
    """The envelope's payload as its current event type. Remembers recent ones: several views read each event (one
    after another: the last envelope's is at hand without a lookup)."""
    global _last
    last, found = _last
    if envelope is last:
        return found  # type: ignore[return-value]
    if (found := _recent.get(envelope.event_id)) is None:
        if len(_recent) >= 8192:
            _recent.clear()
        found = _recent[envelope.event_id] = registry.decode(envelope.type, envelope.schema_version, envelope.payload)
    _last = (envelope, found)
    return found
