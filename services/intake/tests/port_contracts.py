"""Contract tests every adapter of intake's ports must pass: the in-memory fakes and the MongoDB adapters alike."""
from __future__ import annotations

import base64
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.intake.application.keys import ClientKeys
from services.intake.application.ports import KeyStore, KeyWrapper, QuestionReferrals, QuestionViews
from services.intake.application.referrals import Step
from services.plumbing.keyring import WrapError, version_of


async def key_store_contract(keys: KeyStore, plant_clear: Callable[[str, bytes], Awaitable[None]]) -> None:
    """`plant_clear` stores a key in the clear the way a release before envelope encryption did."""
    assert await keys.add("c-a", "local:v1:first") == "local:v1:first"
    assert await keys.add("c-a", "local:v1:second") == "local:v1:first", "a client's key is never replaced by add"
    assert await keys.get("c-a") == "local:v1:first" and await keys.get("c-none") is None
    assert not await keys.replace("c-a", "local:v1:other", "local:v2:x")
    assert await keys.replace("c-a", "local:v1:first", "local:v2:first") and await keys.get("c-a") == "local:v2:first"
    await keys.add("c-b", "local:v1:b")
    await keys.erase("c-a")
    await keys.erase("c-a")  # idempotent
    assert await keys.get("c-a") is None
    assert await keys.add("c-a", "local:v2:new") is None, "an erased client must never get a new key"
    assert not await keys.replace("c-a", "local:v2:first", "local:v3:first") and await keys.get("c-a") is None
    await plant_clear("c-old", b"k" * 32)
    assert await keys.get("c-old") == b"k" * 32
    assert not await keys.replace("c-old", b"o" * 32, "local:v1:old")
    assert await keys.replace("c-old", b"k" * 32, "local:v1:old") and await keys.get("c-old") == "local:v1:old"
    assert {c: s async for c, s in keys.stored()} == {"c-b": "local:v1:b", "c-old": "local:v1:old"}


async def key_wrapper_contract(kek: KeyWrapper, missing: KeyWrapper) -> None:
    """`kek` holds a fresh key-encryption key of one version; `missing` names a KEK that does not exist."""
    key = os.urandom(32)
    wrapped = await kek.wrap(key, "c-a")
    assert key not in wrapped.encode() and base64.b64encode(key).decode() not in wrapped
    assert await kek.unwrap(wrapped, "c-a") == key and version_of(wrapped) == await kek.latest()
    assert await kek.wrap(key, "c-a") != wrapped, "each wrap has its own nonce"
    with pytest.raises(WrapError):
        await kek.unwrap(wrapped, "c-b")  # a wrapped key copied onto another client does not open
    with pytest.raises(WrapError):
        await kek.unwrap(wrapped[:-8] + "AAAAAAA=", "c-a")
    first = await kek.latest()
    assert await kek.rotate() == first + 1 == await kek.latest()
    assert await kek.unwrap(wrapped, "c-a") == key, "a wrap of an older version still opens"
    assert version_of(await kek.wrap(key, "c-a")) == first + 1
    rewrapped = await kek.rewrap(wrapped, "c-a")
    assert version_of(rewrapped) == first + 1 and await kek.unwrap(rewrapped, "c-a") == key
    with pytest.raises(WrapError):
        await kek.rewrap(wrapped, "c-b")
    await kek.retire(first + 1)
    assert await kek.unwrap(rewrapped, "c-a") == key
    with pytest.raises(WrapError):
        await kek.unwrap(wrapped, "c-a")  # the retired version is no longer needed, nor usable
    unknown_version = rewrapped.replace(f":v{first + 1}:", ":v99:")
    for attempt in (missing.wrap(key, "c-a"), missing.unwrap(rewrapped, "c-a"), missing.latest(),
                    kek.unwrap("not-a-wrapped-key", "c-a"), kek.unwrap(unknown_version, "c-a")):
        with pytest.raises(WrapError):
            await attempt


async def client_keys_contract(keys: ClientKeys) -> None:
    key = await keys.get_or_create("c-a")
    assert key is not None and len(key) == 32
    assert await keys.get_or_create("c-a") == key and await keys.get("c-a") == key
    stored = await keys.store.get("c-a")
    assert isinstance(stored, str) and key not in stored.encode(), "only the wrapped key is stored"
    assert await keys.get("c-none") is None
    assert await keys.get_or_create("c-b") != key
    await keys.erase("c-a")
    await keys.erase("c-a")  # idempotent
    assert await keys.get("c-a") is None
    assert await keys.get_or_create("c-a") is None, "an erased client must never get a new key"
    assert await keys.get("c-b") is not None


def _doc(i: int, **more: Any) -> dict[str, Any]:
    return {"_id": f"q-{i:03d}", "tenant": "kortrijk", "version": 1, "status": "open", "office_id": "huis",
            "client_id": "c-1", "day": "2026-03-10", **more}


async def question_views_contract(views: QuestionViews) -> None:
    for i in range(5):
        await views.put(_doc(i))
    await views.put(_doc(5, tenant="brugge"))
    await views.put(_doc(6, day="2026-03-11", client_id="c-2"))
    await views.put(_doc(1, version=3, status="closed"))
    await views.put(_doc(1, version=2, status="open"))  # older than what is stored: ignored
    await views.put(_doc(7, version=2, status="closed"))  # its registration's document was never written
    ids = [d["_id"] for d in await views.of_client("kortrijk", "c-1")]
    assert ids == ["q-000", "q-001", "q-002", "q-003", "q-004", "q-007"]
    assert [d["_id"] for d in await views.of_client("kortrijk", "c-1", open_only=True)] == [
        "q-000", "q-002", "q-003", "q-004"]
    assert [d["_id"] for d in await views.of_client("kortrijk", "c-1", open_only=True, limit=1)] == ["q-000"]
    page = await views.of_office("kortrijk", "huis", "2026-03-10", after="q-001", limit=2)
    assert [d["_id"] for d in page] == ["q-002", "q-003"]
    assert [(d["_id"], d["status"]) for d in await views.of_office("kortrijk", "huis", "2026-03-10", after="q-003")
            ] == [("q-004", "open"), ("q-007", "closed")]
    assert [d["_id"] for d in await views.of_office("kortrijk", "huis", "2026-03-11")] == ["q-006"]
    assert await views.of_office("kortrijk", "huis", "2026-03-12") == []
    assert await views.of_office("kortrijk", "elders", "2026-03-10") == []
    assert [d["_id"] for d in await views.of_office("brugge", "huis", "2026-03-10")] == ["q-005"]
    assert await views.of_client("brugge", "c-2") == [], "another municipality's client of the same id"


T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def step(referral_id: str, version: int, type_: str, tenant: str = "kortrijk", **more: Any) -> Step:
    ids = {k: more.pop(k) for k in ("question_id", "service_id") if k in more}
    return Step(referral_id=referral_id, version=version, tenant=tenant, type=type_,
                occurred_at=T0 + timedelta(minutes=version), staff_id="p-1", details=more, **ids)


async def question_referrals_contract(referrals: QuestionReferrals) -> None:
    q = "q-contract-" + datetime.now(UTC).strftime("%H%M%S%f")
    requested = step("r-1" + q, 1, "ReferralRequested", question_id=q, service_id="svc-1", mode="warm-handoff")
    await referrals.record(requested)
    await referrals.record(step("r-1" + q, 2, "ReferralAccepted"))
    await referrals.record(step("r-1" + q, 3, "ReferralCompleted", outcome="got-help", went_alone=True))
    await referrals.record(step("r-1" + q, 3, "ReferralCompleted", outcome="got-help", went_alone=True))  # redelivered
    await referrals.record(requested)  # redelivered
    await referrals.record(step("r-2" + q, 2, "ReferralRejected", reason="no-capacity"))  # before its request
    await referrals.record(step("r-2" + q, 1, "ReferralRequested", question_id=q, service_id="svc-2"))
    await referrals.record(step("r-3" + q, 1, "ReferralRequested", tenant="brugge", question_id="other" + q,
                                service_id="svc-3"))
    found = sorted(await referrals.of_question("kortrijk", q), key=lambda e: (e.referral_id, e.version))
    assert [(e.referral_id, e.version, e.type) for e in found] == [
        ("r-1" + q, 1, "ReferralRequested"), ("r-1" + q, 2, "ReferralAccepted"), ("r-1" + q, 3, "ReferralCompleted"),
        ("r-2" + q, 1, "ReferralRequested"), ("r-2" + q, 2, "ReferralRejected")]
    assert found[2].details == {"service_id": "svc-1", "outcome": "got-help", "went_alone": True}
    assert found[4].details == {"service_id": "svc-2", "reason": "no-capacity"}
    assert found[0].occurred_at == T0 + timedelta(minutes=1) and found[0].staff_id == "p-1"
    assert await referrals.of_question("brugge", q) == [], "another municipality never sees them"
    assert await referrals.of_question("kortrijk", "other" + q) == []
    assert await referrals.of_question("kortrijk", "q-none") == []
    # referral ids are per municipality: Brugge's "r-1" of another question never mixes with Kortrijk's
    await referrals.record(step("r-1" + q, 1, "ReferralRequested", tenant="brugge", question_id="b" + q))
    await referrals.record(step("r-1" + q, 4, "ReferralFailed", tenant="brugge", reason="could-not-contact"))
    assert [e.type for e in await referrals.of_question("kortrijk", q) if e.referral_id == "r-1" + q] == [
        "ReferralRequested", "ReferralAccepted", "ReferralCompleted"]
    assert [e.type for e in await referrals.of_question("brugge", "b" + q)] == ["ReferralRequested", "ReferralFailed"]
