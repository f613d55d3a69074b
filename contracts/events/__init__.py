"""Versioned event types, their registry and upcasters.

Each event type is a frozen pydantic model registered with `@event(...)`. Old versions are upcast on read by functions
registered with `@upcaster(...)`; stored and published events are never rewritten.
"""
from contracts.events.registry import (
    DomainEvent,
    EventRegistry,
    UnknownEventType,
    decode,
    event,
    registry,
    upcaster,
)

__all__ = ["DomainEvent", "EventRegistry", "UnknownEventType", "decode", "event", "registry", "upcaster"]

# Importing the modules registers their event types.
from contracts.events import intake  # noqa: E402,F401
from contracts.events import intake_client  # noqa: E402,F401
from contracts.events import intake_office  # noqa: E402,F401
from contracts.events import intake_signal  # noqa: E402,F401
from contracts.events import catalogue  # noqa: E402,F401
from contracts.events import referral  # noqa: E402,F401
