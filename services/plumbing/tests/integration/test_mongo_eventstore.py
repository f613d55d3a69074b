import pytest

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
