"""Ports of intake's application layer. Each has a MongoDB adapter and an in-memory fake passing the same
contract tests (services/intake/tests/contracts.py)."""
from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, Protocol

from services.intake.application.referrals import ReferralEntry, Step


Stored = str | bytes  # a data key wrapped by the KEK; bytes: a key stored in the clear before envelope encryption


class KeyStore(Protocol):
    """Each client's random 256-bit data key as stored: wrapped by the key-encryption key (KEK), never in the clear
    (`ClientKeys` wraps and unwraps). Erasure deletes it and leaves a tombstone, so no new key is ever stored for that
    client. A key stored in the clear by an older release reads as bytes until `replace` wraps it."""

    async def add(self, client_id: str, wrapped: str) -> Stored | None:
        """Store `wrapped` unless the client has a key or a tombstone; what is stored now (None: a tombstone)."""
        ...

    async def get(self, client_id: str) -> Stored | None:
        """The client's stored key, or None if there is none (never made, or erased)."""
        ...

    async def replace(self, client_id: str, old: Stored, new: str) -> bool:
        """Store `new` where `old` is still stored (never over a tombstone); False if `old` is not stored now."""
        ...

    async def erase(self, client_id: str) -> None:
        """Delete the key for good and leave a tombstone so no later call makes a new one. Idempotent."""
        ...

    def stored(self) -> AsyncIterator[tuple[str, Stored]]:
        """Every client's stored key (tombstones left out), for rotation."""
        ...


class KeyWrapper(Protocol):
    """The key-encryption key (KEK), held outside the database (a local keyring file, Vault transit): wraps and
    unwraps data keys, `context` (the client id) bound to each wrap. A wrapped key names the KEK version it was made
    with (`keyring.version_of`); new wraps use the newest. Every failure raises `keyring.WrapError`."""

    async def wrap(self, key: bytes, context: str) -> str:
        ...

    async def unwrap(self, wrapped: str, context: str) -> bytes:
        ...

    async def rewrap(self, wrapped: str, context: str) -> str:
        """The same data key wrapped with the newest version."""
        ...

    async def latest(self) -> int:
        """The newest version (also the check at start that the KEK is there)."""
        ...

    async def rotate(self) -> int:
        """Make a new newest version and return it; older versions still unwrap until retired."""
        ...

    async def retire(self, below: int) -> None:
        """Versions below `below` unwrap no more (once every data key is rewrapped)."""
        ...


class QuestionViews(Protocol):
    """The front office's query model of questions: one current-state document per question, listed under the day
    of its office it was registered on and under its client (neither ever changes)."""

    async def put(self, doc: dict[str, Any]) -> None:
        """Replace the document with this `_id` unless the stored one has a higher or equal `version`."""
        ...

    async def of_office(self, tenant: str, office_id: str, day: str, *, after: str | None = None,
                        limit: int = 20) -> Sequence[dict[str, Any]]:
        """The questions of `tenant` registered at the office on `day`, in `_id` (= registration) order, after the
        id `after`."""
        ...

    async def of_client(self, tenant: str, client_id: str, *, open_only: bool = False, after: str | None = None,
                        limit: int = 20) -> Sequence[dict[str, Any]]:
        """The client's questions in `tenant` (only the open ones with `open_only`), in `_id` order, after `after`."""
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
