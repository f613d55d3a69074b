"""The event store is the outbox: one commit document per command, published to Kafka by the relay."""
from services.plumbing.eventstore.ports import Commit, ConcurrencyError, EventStore, Parked, StoreUnavailable, started_by

__all__ = ["Commit", "ConcurrencyError", "EventStore", "Parked", "StoreUnavailable", "started_by"]
