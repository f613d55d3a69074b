"""The in-memory referral views pass the same contract as the MongoDB adapter."""
from __future__ import annotations

import pytest

from services.referral.application.memory import InMemoryViews
from services.referral.tests.views_contract import ViewsContract


class TestInMemoryViews(ViewsContract):
    @pytest.fixture
    def views(self) -> InMemoryViews:
        return InMemoryViews()
