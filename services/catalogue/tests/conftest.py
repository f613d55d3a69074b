import pytest

from services.catalogue.adapters.views_memory import InMemoryViews
from services.catalogue.application.handlers import Deps
from services.plumbing.eventstore.memory import InMemoryEventStore


@pytest.fixture
def deps() -> Deps:
    return Deps(store=InMemoryEventStore(), views=InMemoryViews())
