"""The in-memory reference data passes the same contract as the MongoDB adapter."""
from __future__ import annotations

import pytest

from services.referral.application.memory import InMemoryReference
from services.referral.tests.reference_contract import ReferenceContract


class TestInMemoryReference(ReferenceContract):
    @pytest.fixture
    def reference(self) -> InMemoryReference:
        return InMemoryReference()
