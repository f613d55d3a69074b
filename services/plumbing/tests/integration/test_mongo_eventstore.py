import pytest
from pymongo import AsyncMongoClient, monitoring

from services.plumbing.eventstore.mongo import MongoEventStore
from services.plumbing.tests.eventstore_contract import EventStoreContract

pytestmark = pytest.mark.integration


class TestMongoEventStore(EventStoreContract):
    @pytest.fixture
    async def store(self, mongo, settings) -> MongoEventStore:
        store = MongoEventStore(mongo, settings.database("intake"))
        await store.create_indexes()
        return store


async def test_a_retry_after_a_lost_command_marker_still_returns_the_first_commit(mongo, settings) -> None:
    from services.plumbing.tests.eventstore_contract import commit

    store = MongoEventStore(mongo, settings.database("intake"))
    await store.create_indexes()
    first = await store.append(commit("q-lost", command_id="cmd-lost-marker"))
    await mongo[settings.database("intake")]["commands"].delete_one({"_id": "cmd-lost-marker"})  # crash before it
    again = await store.append(commit("q-other", command_id="cmd-lost-marker"))
    assert again.commit_id == first.commit_id and await store.load("q-other") == []
    assert (await store.by_command("cmd-lost-marker", tenant="kortrijk")).commit_id == first.commit_id


async def test_a_restarted_process_finds_what_was_left_unpublished(mongo, settings) -> None:
    from services.plumbing.tests.eventstore_contract import commit

    before = MongoEventStore(mongo, settings.database("intake"))
    await before.create_indexes()
    left = await before.append(commit("q-left"))
    after = MongoEventStore(mongo, settings.database("intake"))
    fresh = await after.append(commit("q-fresh"))
    assert [c.commit_id for c in await after.unpublished(10)] == [left.commit_id, fresh.commit_id]
    await after.mark_published([left.commit_id, fresh.commit_id])
    assert await MongoEventStore(mongo, settings.database("intake")).unpublished(10) == []


async def test_create_indexes_drops_the_index_that_made_command_ids_global(mongo, settings) -> None:
    from services.plumbing.tests.eventstore_contract import commit

    database = settings.database("intake")
    await mongo[database]["commits"].create_index("command_id", unique=True, name="command_unique")
    store = MongoEventStore(mongo, database)
    await store.create_indexes()
    await store.create_indexes()
    assert "command_unique" not in await mongo[database]["commits"].index_information()
    await store.append(commit("q-old", command_id="cmd-upgraded", tenant="brugge"))
    mine = await store.append(commit("q-new", command_id="cmd-upgraded", tenant="kortrijk"))
    assert [e.tenant for e in await store.load("q-new")] == ["kortrijk"] and mine.stream_id == "q-new"


class _Finds(monitoring.CommandListener):
    """Counts the `find` commands sent: what a load costs the database."""

    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.count += event.command_name == "find"

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None: ...

    def failed(self, event: monitoring.CommandFailedEvent) -> None: ...


async def test_a_stream_read_or_written_before_is_read_only_from_where_it_was_left(stack, settings) -> None:
    from services.plumbing.tests.eventstore_contract import commit

    finds = _Finds()
    client: AsyncMongoClient = AsyncMongoClient(stack.mongo_url, event_listeners=[finds])
    try:
        store = MongoEventStore(client, settings.database("intake"))
        for version in (1, 2, 3):
            await store.append(commit("q-kept", version))
        before = finds.count
        assert [e.stream_version for e in await store.load("q-kept")] == [1, 2, 3]
        assert (await store.first("q-kept")).stream_version == 1
        assert finds.count - before == 1, "the commits it appended are known: one probe for a later one"
        elsewhere = MongoEventStore(client, settings.database("intake"))  # another process appends
        await elsewhere.append(commit("q-kept", 4))
        assert [e.stream_version for e in await store.load("q-kept")] == [1, 2, 3, 4]
        fresh = MongoEventStore(client, settings.database("intake"))
        before = finds.count
        assert len(await fresh.load("q-kept")) == 4 and len(await fresh.load("q-kept")) == 4
        assert finds.count - before == 5 + 1, "read once in full (four commits and the end), then from the end"
    finally:
        await client.close()


async def test_a_stale_cache_never_hides_a_conflict(mongo, settings) -> None:
    from services.plumbing.eventstore import ConcurrencyError
    from services.plumbing.tests.eventstore_contract import commit

    mine, theirs = (MongoEventStore(mongo, settings.database("intake")) for _ in range(2))
    await mine.append(commit("q-race", 1))
    await theirs.append(commit("q-race", 2))
    with pytest.raises(ConcurrencyError):
        await mine.append(commit("q-race", 2))
    assert [e.stream_version for e in await mine.load("q-race")] == [1, 2]


async def test_a_cached_load_reads_nothing_and_an_append_on_it_after_another_process_wrote_is_a_conflict(
        mongo, settings) -> None:
    """A command's first attempt decides on what its process knows of the stream (no read); when another process
    wrote the stream since, the append is refused as a conflict (never a scan), and the next load reads the stream
    as stored."""
    from services.plumbing.eventstore import ConcurrencyError
    from services.plumbing.tests.eventstore_contract import commit

    mine, other = (MongoEventStore(mongo, settings.database("intake")) for _ in range(2))
    await mine.create_indexes()
    await mine.append(commit("q-shared"))
    assert [e.stream_version for e in await mine.load("q-shared", cached=True)] == [1]
    await other.append(commit("q-shared", 2))  # another process's command
    reads = Reads(mine)
    assert [e.stream_version for e in await mine.load("q-shared", cached=True)] == [1]  # what it knew
    assert reads.finds == 0
    with pytest.raises(ConcurrencyError):
        await mine.append(commit("q-shared", 2))
    assert reads.scans == 0  # the version's commit told it apart from a command id used elsewhere
    assert [e.stream_version for e in await mine.load("q-shared", cached=True)] == [1, 2]  # read again


class Reads:
    """Counts the finds a store's commits collection answers (`scans`: those with a filter but `_id`)."""

    def __init__(self, store: MongoEventStore) -> None:
        self.finds = self.scans = 0
        commits, outer = store._commits, self

        class Counting:
            def __getattr__(self, name: str):
                return getattr(commits, name)

            def find_one(self, filter, *args, **kwargs):
                outer.finds += 1
                outer.scans += set(filter) != {"_id"}
                return commits.find_one(filter, *args, **kwargs)

            def find(self, filter, *args, **kwargs):
                outer.finds += 1
                outer.scans += set(filter) != {"_id"}
                return commits.find(filter, *args, **kwargs)
        store._commits = Counting()  # type: ignore[assignment]
