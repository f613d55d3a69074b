import pytest

from services.catalogue.adapters.views_memory import InMemoryViews
from services.catalogue.tests.views_contract import ViewsContract


class TestInMemoryViews(ViewsContract):
    @pytest.fixture
    def views(self) -> InMemoryViews:
        return InMemoryViews()
