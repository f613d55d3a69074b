"""Ports of intake's application layer. Each has a MongoDB adapter and an in-memory fake passing the same
contract tests (services/intake/tests/contracts.py)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from services.intake.application.referrals import ReferralEntry, Step


class KeyStore(Protocol):
    """One random 256-bit key per client. Deleting it is erasure: it never comes back for that client."""

    async def get_or_create(self, client_id: str) -> bytes | None:
        """The client's key, created on first use; None once the client is erased."""
        ...

    async def get(self, client_id: str) -> bytes | None:
        """The client's key, or None if there is none (never made, or erased)."""
        ...

    async def erase(self, client_id: str) -> None:
        """Delete the key for good and leave a tombstone so no later call makes a new one. Idempotent."""
        ...


class QuestionViews(Protocol):
    """The front office's query model of questions: one current-state document per question."""

    async def put(self, doc: dict[str, Any]) -> None:
        """Replace the document with this `_id` unless the stored one has a higher or equal `version`."""
        ...

    async def find(self, tenant: str, *, client_id: str | None = None, office_id: str | None = None,
                   day: str | None = None, open_only: bool = False, after: str | None = None,
                   limit: int = 20) -> Sequence[dict[str, Any]]:
        """Documents of `tenant` matching the filters, in `_id` (= registration) order, after the id `after`."""
        ...


class QuestionReferrals(Protocol):
    """The steps of each referral, learnt from the referral topic, found by question (`_id` lookups only)."""

    async def record(self, step: Step) -> None:
        """Store the step (idempotent: the same referral id and version twice changes nothing); a step carrying a
        `question_id` also files the referral under that question."""
        ...

    async def of_question(self, tenant: str, question_id: str) -> list[ReferralEntry]:
        """The steps of the question's referrals of `tenant` (another municipality's are never returned), each with
        the referral's `service_id` in its details; any order."""
        ...
