import pytest

from services.catalogue.adapters.views_mongo import MongoViews
from services.catalogue.tests.views_contract import ViewsContract, doc

pytestmark = pytest.mark.integration


class TestMongoViews(ViewsContract):
    @pytest.fixture
    async def views(self, mongo, settings):
        views = MongoViews(mongo, settings.database("catalogue"))
        await views.create_indexes()
        yield views
        await mongo.drop_database(settings.database("catalogue"))


async def test_documents_from_before_ids_were_per_municipality_move_under_their_municipality(mongo, settings) -> None:
    """As a deployed database holds them: `_id` = the entity's id, no `id` nor `stream`; the entity's stream is the
    bare id, and goes on being its stream."""
    database = settings.database("catalogue")
    await mongo[database]["services"].insert_one({**doc("s-old", version=4), "_id": "s-old"})
    views = MongoViews(mongo, database)
    await views.create_indexes()
    moved = await views.get("service", "kortrijk", "s-old")
    assert (moved["_id"], moved["stream"], moved["version"]) == ("s-old", "s-old", 4)
    assert await views.get("service", "brugge", "s-old") is None
    assert await mongo[database]["services"].find_one({"_id": "s-old"}) is None
    assert await views.move_legacy_documents() == 0
    await mongo.drop_database(database)
