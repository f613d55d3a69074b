"""The contract every EventStore passes: the MongoDB adapter and the in-memory fake alike."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.envelope import Actor, Role, new_event_id
from contracts.events.intake import QuestionRegistered
from services.plumbing.eventstore import Commit, ConcurrencyError, EventStore

ACTOR = Actor(staff_id="s-1", role=Role.FRONT_OFFICE)


def registered(question_id: str) -> QuestionRegistered:
    return QuestionRegistered(question_id=question_id, office_id="o-1", client_id="c-1", channel="walk-in",
                              themes=("housing",), client_languages=("ar",), language_used="ar")


def commit(stream: str, first_version: int = 1, command_id: str | None = None) -> Commit:
    return Commit.of([registered(stream)], stream_id=stream, first_version=first_version, tenant="kortrijk",
                     actor=ACTOR, command_id=command_id or new_event_id(), correlation_id="corr-1",
                     occurred_at=datetime.now(UTC), result={"question_id": stream})


class EventStoreContract:
    """Subclass and provide a `store` fixture."""

    async def test_appended_events_load_in_version_order(self, store: EventStore) -> None:
        await store.append(commit("q-1", 2))
        await store.append(commit("q-1", 1))
        loaded = await store.load("q-1")
        assert [e.stream_version for e in loaded] == [1, 2]
        assert loaded[0].payload["question_id"] == "q-1"

    async def test_second_commit_at_same_version_is_a_concurrency_error(self, store: EventStore) -> None:
        await store.append(commit("q-2", 1))
        with pytest.raises(ConcurrencyError):
            await store.append(commit("q-2", 1))

    async def test_retried_command_returns_first_commit_and_writes_nothing(self, store: EventStore) -> None:
        first = await store.append(commit("q-3", 1, command_id="cmd-retried"))
        again = await store.append(commit("q-other", 1, command_id="cmd-retried"))
        assert again.commit_id == first.commit_id and again.result == {"question_id": "q-3"}
        assert await store.load("q-other") == []
        assert (await store.by_command("cmd-retried")).stream_id == "q-3"

    async def test_the_command_that_started_a_stream_is_found_thoroughly(self, store: EventStore) -> None:
        first = await store.append(commit("office-1", 1, command_id="cmd-open"))
        assert (await store.by_command("cmd-open", thorough=True)).commit_id == first.commit_id
        assert await store.by_command("cmd-never", thorough=True) is None

    async def test_unpublished_until_marked(self, store: EventStore) -> None:
        a, b = await store.append(commit("q-4")), await store.append(commit("q-5"))
        assert [c.commit_id for c in await store.unpublished(10)] == [a.commit_id, b.commit_id]
        await store.mark_published([a.commit_id])
        assert [c.commit_id for c in await store.unpublished(10)] == [b.commit_id]
        assert [c.commit_id for c in await store.unpublished(1)] == [b.commit_id]

    async def test_unknown_stream_loads_empty(self, store: EventStore) -> None:
        assert await store.load("nope") == []
        assert await store.by_command("nope") is None
