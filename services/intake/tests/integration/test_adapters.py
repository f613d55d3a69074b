"""The MongoDB adapters pass the same contracts as the in-memory fakes (the key store's: test_keys.py)."""
import asyncio
from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring

from services.intake.adapters.mongo import MongoQuestionReferrals, MongoQuestionViews
from services.intake.tests.port_contracts import question_referrals_contract, question_views_contract

pytestmark = pytest.mark.integration


async def test_mongo_question_views(mongo, settings) -> None:
    views = MongoQuestionViews(mongo, settings.database("intake"))
    await views.create_indexes()
    await question_views_contract(views)


async def test_mongo_question_referrals(mongo, settings) -> None:
    await question_referrals_contract(MongoQuestionReferrals(mongo, settings.database("intake")))


class Finds(monitoring.CommandListener):
    """The filters of the `find` commands sent, by collection; and how many inserts were sent."""

    def __init__(self) -> None:
        self.filters: list[tuple[str, dict[str, Any]]] = []
        self.inserts = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find":
            self.filters.append((event.command["find"], dict(event.command.get("filter", {}))))
        self.inserts += event.command_name == "insert"

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def _view(n: int, office: str, day: str, client: str, tenant: str = "kortrijk") -> dict[str, Any]:
    return {"_id": f"q-{n:04d}", "tenant": tenant, "version": 1, "status": "open", "office_id": office,
            "client_id": client, "day": day}


async def test_the_lists_of_an_office_and_a_client_are_read_by_id_alone(stack, settings) -> None:
    """FerretDB answers only `_id` equalities from an index: a filter on office, day or client reads every question
    of the municipality, so the front office's list grew slower with every question ever registered."""
    finds = Finds()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, event_listeners=[finds])
    try:
        views = MongoQuestionViews(client, settings.database("intake"))
        await views.create_indexes()
        for n in range(40):
            await views.put(_view(n, ("huis", "buurtpunt")[n % 2], f"2026-03-{10 + n % 4}", f"c-{n % 3}"))
        finds.filters.clear()
        today = await views.of_office("kortrijk", "huis", "2026-03-10", limit=100)
        mine = await views.of_client("kortrijk", "c-1", limit=100)
        assert [d["_id"] for d in today] == [f"q-{n:04d}" for n in range(0, 40, 4)]
        assert [d["_id"] for d in mine] == [f"q-{n:04d}" for n in range(1, 40, 3)]
        assert finds.filters and all(list(f) == ["_id"] and isinstance(f["_id"], str) for _, f in finds.filters), \
            [f for f in finds.filters if list(f[1]) != ["_id"]][:3]
    finally:
        await client.close()


async def test_questions_registered_at_once_are_all_listed(mongo, settings) -> None:
    """Writers racing for the same list's next entry (two processes, each with its own hint) lose none."""
    database = settings.database("intake")
    one, two = MongoQuestionViews(mongo, database), MongoQuestionViews(mongo, database)
    await one.create_indexes()
    await asyncio.gather(*((one, two)[n % 2].put(_view(n, "huis", "2026-03-10", f"c-{n}")) for n in range(24)))
    await one.put(_view(24, "huis", "2026-03-10", "c-24"))  # its hint is behind the other's entries
    listed = await MongoQuestionViews(mongo, database).of_office("kortrijk", "huis", "2026-03-10", limit=100)
    assert [d["_id"] for d in listed] == [f"q-{n:04d}" for n in range(25)]


async def test_the_workers_of_one_office_day_queue_for_its_list_instead_of_racing(stack, settings) -> None:
    """32 questions of one office's day at once in one process: each written with one insert of its office entry,
    one of its client entry and one of its document, none refused and retried (racing writers each lost to all
    the others before them: RegisterQuestion fell to a few per second with 32 callers)."""
    finds = Finds()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, event_listeners=[finds])
    try:
        views = MongoQuestionViews(client, settings.database("intake"))
        await views.create_indexes()
        await views.put(_view(0, "huis", "2026-03-10", "c-0"))
        finds.inserts = 0
        await asyncio.gather(*(views.put(_view(n, "huis", "2026-03-10", f"c-{n}")) for n in range(1, 33)))
        assert finds.inserts == 3 * 32
        listed = await views.of_office("kortrijk", "huis", "2026-03-10", limit=100)
        assert [d["_id"] for d in listed] == [f"q-{n:04d}" for n in range(33)]
    finally:
        await client.close()


async def test_questions_stored_before_the_lists_are_listed_at_start(mongo, settings) -> None:
    database = settings.database("intake")
    await mongo[database]["question_views"].insert_many([_view(n, "huis", "2026-03-10", "c-1") for n in range(3)]
                                                        + [_view(9, "huis", "2026-03-10", "c-1", "brugge")])
    views = MongoQuestionViews(mongo, database)
    await views.create_indexes()
    await views.create_indexes()  # a second start lists nothing twice
    await views.put(_view(3, "huis", "2026-03-10", "c-1"))
    assert [d["_id"] for d in await views.of_office("kortrijk", "huis", "2026-03-10")] == [
        "q-0000", "q-0001", "q-0002", "q-0003"]
    assert [d["_id"] for d in await views.of_client("brugge", "c-1")] == ["q-0009"]
    assert await mongo[database]["question_lists"].count_documents({}) == 2 * 5 + 1


async def test_a_start_that_finds_entries_taken_lists_those_questions_at_the_end(mongo, settings) -> None:
    """A list written meanwhile by a running intake (or by a start that stopped halfway) loses no question."""
    database = settings.database("intake")
    await mongo[database]["question_views"].insert_many([_view(n, "huis", "2026-03-10", f"c-{n}") for n in range(4)])
    await mongo[database]["question_lists"].insert_one({"_id": "office|kortrijk|huis|2026-03-10|000000",
                                                        "q": "q-0003"})
    views = MongoQuestionViews(mongo, database)
    await views.create_indexes()
    assert [d["_id"] for d in await views.of_office("kortrijk", "huis", "2026-03-10")] == [
        "q-0000", "q-0001", "q-0002", "q-0003"]
