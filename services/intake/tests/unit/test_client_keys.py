"""Envelope encryption of the clients' data keys: keys of the release before wrapped on first read (never brought
back for an erased client), and rotation rewrapping every key — including ones wrapped meanwhile under the old
version — before it retires anything."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.intake.application.keys import PASSES, ClientKeys, rotate
from services.intake.application.memory import InMemoryKeyStore, InMemoryKeyWrapper
from services.intake.application.ports import Stored
from services.intake.tests.helpers import Desk, deps
from services.intake.domain import client
from services.plumbing.keyring import Keyring, WrapError, version_of

CLEAR = b"k" * 32


def keys() -> ClientKeys:
    return ClientKeys(InMemoryKeyStore(), InMemoryKeyWrapper())


async def test_a_key_stored_in_the_clear_is_wrapped_on_first_read() -> None:
    k = keys()
    k.store.keys["c-old"] = CLEAR  # type: ignore[attr-defined]
    assert await k.get("c-old") == CLEAR
    stored = k.store.keys["c-old"]  # type: ignore[attr-defined]
    assert isinstance(stored, str) and version_of(stored) == 1 and await k.kek.unwrap(stored, "c-old") == CLEAR
    assert await k.get_or_create("c-old") == CLEAR


class ErasedMeanwhile(InMemoryKeyStore):
    """The client is erased between reading the key in the clear and storing it wrapped."""

    async def replace(self, client_id: str, old: Stored, new: str) -> bool:
        await self.erase(client_id)
        return await super().replace(client_id, old, new)


async def test_a_key_in_the_clear_of_a_client_erased_meanwhile_is_not_handed_out() -> None:
    k = ClientKeys(ErasedMeanwhile(), InMemoryKeyWrapper())
    k.store.keys["c-old"] = CLEAR  # type: ignore[attr-defined]
    assert await k.get("c-old") is None and k.store.keys["c-old"] is None  # type: ignore[attr-defined]


async def test_rotation_rewraps_every_key_then_retires_the_old_version() -> None:
    desk = Desk(deps())
    ids = [(await desk.run(client.RegisterClient))["client_id"] for _ in range(3)]
    for c in ids:
        await desk.run(client.AddClientNote, client_id=c, text=f"notitie voor {c}")
    k = desk.deps.keys
    k.store.keys[ids[0]] = await k.get(ids[0])  # type: ignore[attr-defined]  # stored in the clear, as before
    before = {c: await k.get(c) for c in ids}
    events = [c.model_dump() for c in desk.deps.store.commits.values()]  # type: ignore[attr-defined]

    done = await rotate(k, retire=True)

    assert (done.version, done.rewrapped, done.retired) == (2, 3, True)
    assert list(k.kek.ring.versions) == [2]  # type: ignore[attr-defined]
    assert all(version_of(s) == 2 for _, s in [x async for x in k.store.stored()])
    assert {c: await k.get(c) for c in ids} == before, "the data keys themselves do not change"
    assert [c.model_dump() for c in desk.deps.store.commits.values()] == events  # type: ignore[attr-defined]
    assert (await rotate(k, new_version=False)).rewrapped == 0


class WrappedMeanwhile(InMemoryKeyStore):
    """While a pass lists the keys, an intake still on the old version wraps `behind` more keys with it."""

    def __init__(self, old: Keyring, behind: int) -> None:
        super().__init__()
        self.old, self.behind = old, behind

    async def stored(self) -> AsyncIterator[tuple[str, Stored]]:
        async for item in super().stored():
            yield item
        if self.behind:
            self.behind -= 1
            self.keys[f"c-late-{self.behind}"] = self.old.wrap(CLEAR, f"c-late-{self.behind}")


async def test_rotation_passes_again_over_keys_wrapped_meanwhile_with_the_old_version() -> None:
    kek = InMemoryKeyWrapper()
    old = Keyring(dict(kek.ring.versions))
    k = ClientKeys(WrappedMeanwhile(old, behind=2), kek)
    await k.get_or_create("c-a")
    done = await rotate(k, retire=True)
    assert done.rewrapped == 3 and all(version_of(s) == 2 for _, s in [x async for x in k.store.stored()])
    assert await k.get("c-late-0") == CLEAR


async def test_a_key_wrapped_with_the_old_version_after_the_last_pass_is_rewrapped_before_retiring() -> None:
    kek = InMemoryKeyWrapper()
    k = ClientKeys(WrappedMeanwhile(Keyring(dict(kek.ring.versions)), behind=1), kek)
    done = await rotate(k, retire=True)  # the first rewrap finds none behind; the key arrives just after
    assert done.rewrapped == 1 and await k.get("c-late-0") == CLEAR


async def test_rotation_retires_nothing_while_keys_keep_arriving_under_the_old_version() -> None:
    kek = InMemoryKeyWrapper()
    k = ClientKeys(WrappedMeanwhile(Keyring(dict(kek.ring.versions)), behind=PASSES + 1), kek)
    await k.get_or_create("c-a")
    with pytest.raises(WrapError, match="still wrapped below version 2"):
        await rotate(k, retire=True)
    assert list(kek.ring.versions) == [1, 2], "the old version is kept"
