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
