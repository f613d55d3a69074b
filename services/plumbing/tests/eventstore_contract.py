"""The contract every EventStore passes: the MongoDB adapter and the in-memory fake alike."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts.envelope import Actor, Role, new_event_id
from contracts.events.intake import QuestionRegistered
from services.plumbing.errors import InvalidArgument
from services.plumbing.eventstore import Commit, ConcurrencyError, EventStore, started_by

ACTOR = Actor(staff_id="s-1", role=Role.FRONT_OFFICE)


def registered(question_id: str) -> QuestionRegistered:
    return QuestionRegistered(question_id=question_id, office_id="o-1", client_id="c-1", channel="walk-in",
                              themes=("housing",), client_languages=("ar",), language_used="ar")


def commit(stream: str, first_version: int = 1, command_id: str | None = None, tenant: str = "kortrijk") -> Commit:
    return Commit.of([registered(stream)], stream_id=stream, first_version=first_version, tenant=tenant,
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
        assert (await store.by_command("cmd-retried", tenant="kortrijk")).stream_id == "q-3"

    async def test_the_command_that_started_a_stream_is_found_thoroughly(self, store: EventStore) -> None:
        first = await store.append(commit("office-1", 1, command_id="cmd-open"))
        assert (await store.by_command("cmd-open", thorough=True, tenant="kortrijk")).commit_id == first.commit_id
        assert await store.by_command("cmd-never", thorough=True, tenant="kortrijk") is None

    async def test_a_command_id_of_another_municipality_is_as_if_never_used(self, store: EventStore) -> None:
        brugge = await store.append(commit("q-b", 1, command_id="cmd-shared", tenant="brugge"))
        await store.append(commit("q-b", 2, command_id="cmd-shared-2", tenant="brugge"))
        for thorough in (False, True):
            assert await store.by_command("cmd-shared", thorough, tenant="kortrijk") is None
            assert await store.by_command("cmd-shared-2", thorough, tenant="kortrijk") is None
        kortrijk = await store.append(commit("q-k", 1, command_id="cmd-shared", tenant="kortrijk"))
        again = await store.append(commit("q-k", 2, command_id="cmd-shared-2", tenant="kortrijk"))
        assert kortrijk.commit_id != brugge.commit_id and again.stream_id == "q-k"
        assert [e.tenant for e in await store.load("q-k")] == ["kortrijk", "kortrijk"]
        assert (await store.by_command("cmd-shared", thorough=True, tenant="kortrijk")).stream_id == "q-k"
        assert (await store.by_command("cmd-shared-2", tenant="brugge")).stream_id == "q-b"
        assert (await store.by_command("cmd-shared", thorough=True, tenant="brugge")).commit_id == brugge.commit_id
        retried = await store.append(commit("q-k2", 1, command_id="cmd-shared", tenant="kortrijk"))
        assert retried.commit_id == kortrijk.commit_id and await store.load("q-k2") == []

    async def test_started_by_looks_in_the_streams_municipality(self, store: EventStore) -> None:
        await store.append(commit("office-k", 1, command_id="cmd-start", tenant="kortrijk"))
        first = await store.append(commit("office-b", 1, command_id="cmd-start", tenant="brugge"))
        assert (await started_by(store, "cmd-start", await store.load("office-b"))).commit_id == first.commit_id

    async def test_unpublished_until_marked(self, store: EventStore) -> None:
        a, b = await store.append(commit("q-4")), await store.append(commit("q-5"))
        assert [c.commit_id for c in await store.unpublished(10)] == [a.commit_id, b.commit_id]
        await store.mark_published([a.commit_id])
        assert [c.commit_id for c in await store.unpublished(10)] == [b.commit_id]
        assert [c.commit_id for c in await store.unpublished(1)] == [b.commit_id]

    async def test_first_is_the_first_event_of_a_stream(self, store: EventStore) -> None:
        await store.append(commit("q-first", 2, tenant="brugge"))
        assert await store.first("q-first") is None, "no version 1 yet"
        await store.append(commit("q-first", 1, tenant="brugge"))
        first = await store.first("q-first")
        assert (first.stream_version, first.tenant) == (1, "brugge")

    async def test_unknown_stream_loads_empty(self, store: EventStore) -> None:
        assert await store.load("nope") == []
        assert await store.first("nope") is None
        assert await store.by_command("nope", tenant="kortrijk") is None

    async def test_a_parked_commit_holds_back_its_stream_and_nothing_else(self, store: EventStore) -> None:
        a1, b1 = await store.append(commit("s-a", 1)), await store.append(commit("s-b", 1))
        a2 = await store.append(commit("s-a", 2))
        parked = await store.park(a1, "MessageSizeTooLargeError: too large")
        b2 = await store.append(commit("s-b", 2))
        a3 = await store.append(commit("s-a", 3))
        assert [c.commit_id for c in await store.unpublished(10)] == [b1.commit_id, b2.commit_id]
        assert (parked.stream_id, parked.commit_id, parked.first_version) == ("s-a", a1.commit_id, 1)
        assert [c.commit_id for c in await store.waiting("s-a")] == [a1.commit_id, a2.commit_id, a3.commit_id]
        assert await store.waiting("s-b") == []

    async def test_parked_commits_are_listed_with_their_error_and_since(self, store: EventStore) -> None:
        before = datetime.now(UTC)
        await store.park(await store.append(commit("s-x", 1, tenant="brugge")), "InvalidTopicError: a:b")
        [listed] = await store.parked()
        assert (listed.stream_id, listed.tenant, listed.error) == ("s-x", "brugge", "InvalidTopicError: a:b")
        assert before - timedelta(seconds=1) <= listed.since <= datetime.now(UTC) and listed.retry_asked is None
        asked = await store.ask_retry("s-x")
        assert asked is not None and asked.retry_asked is not None
        assert (await store.parked())[0].retry_asked is not None
        assert await store.ask_retry("s-none") is None

    async def test_unpark_after_a_retry_lets_the_stream_flow(self, store: EventStore) -> None:
        a1 = await store.append(commit("s-r", 1))
        await store.park(a1, "too large")
        a2 = await store.append(commit("s-r", 2))
        await store.mark_published([a1.commit_id])
        await store.unpark("s-r")
        assert await store.parked() == []
        assert [c.commit_id for c in await store.unpublished(10)] == [a2.commit_id]

    async def test_a_resolved_commit_is_never_published_and_its_stream_flows(self, store: EventStore) -> None:
        a1 = await store.append(commit("s-g", 1))
        await store.park(a1, "too large")
        a2 = await store.append(commit("s-g", 2))
        resolved = await store.resolve("s-g", "superseded by a smaller record", "ops-1")
        assert resolved is not None and resolved.commit_id == a1.commit_id
        assert [c.commit_id for c in await store.unpublished(10)] == [a2.commit_id]
        assert await store.parked() == [] and await store.waiting("s-g") == []
        assert await store.resolve("s-g", "again", "ops-1") is None
        assert [e.stream_version for e in await store.load("s-g")] == [1, 2], "the write side keeps its events"

    async def test_an_event_too_large_for_a_message_is_refused_naming_its_largest_field(self, store: EventStore
                                                                                         ) -> None:
        big = commit("s-big")
        big = big.model_copy(update={"events": (big.events[0].model_copy(
            update={"payload": {**big.events[0].payload, "hsds_extra": {"blob": "x" * 2_000_000}}}),)})
        with pytest.raises(InvalidArgument) as refused:
            await store.append(big)
        assert refused.value.field == "hsds_extra.blob" and "2,00" in refused.value.reason
        assert await store.load("s-big") == [] and await store.unpublished(10) == []
