import pytest

from services.catalogue.adapters.views_mongo import MongoViews
from services.catalogue.tests.views_contract import ViewsContract

pytestmark = pytest.mark.integration


class TestMongoViews(ViewsContract):
    @pytest.fixture
    async def views(self, mongo, settings):
        views = MongoViews(mongo, settings.database("catalogue"))
        await views.create_indexes()
        yield views
        await mongo.drop_database(settings.database("catalogue"))
