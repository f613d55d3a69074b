import pytest

from services.plumbing.eventstore.memory import InMemoryEventStore
from services.plumbing.tests.eventstore_contract import EventStoreContract


class TestInMemoryEventStore(EventStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryEventStore:
        return InMemoryEventStore()
