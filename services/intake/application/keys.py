"""Envelope encryption of the clients' data keys: stored only wrapped by the key-encryption key (KEK), which never
enters the database; unwrapped here, in intake's process, when a handler seals or opens a client's data.

A copy of the database alone opens nothing: each data key in it is AES-GCM ciphertext under a KEK it does not hold.
Erasure deletes the wrapped key (a tombstone keeps a new one from being made), so the data is gone even for whoever
holds the KEK.
"""
from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

from services.intake.application.ports import KeyStore, KeyWrapper, Stored
from services.plumbing.keyring import WrapError, version_of

PASSES = 5  # rewrap passes before a rotation gives up retiring (keys keep appearing under an older version)


class ClientKeys:
    """One random 256-bit data key per client, as the handlers use it. A key stored in the clear by an older release
    is wrapped on its first read (and by `rewrap`)."""

    def __init__(self, store: KeyStore, kek: KeyWrapper) -> None:
        self.store, self.kek = store, kek

    async def get_or_create(self, client_id: str) -> bytes | None:
        """The client's key, created on first use; None once the client is erased."""
        if (stored := await self.store.get(client_id)) is not None:
            return await self._open(client_id, stored)
        key = os.urandom(32)
        wrapped = await self.kek.wrap(key, client_id)
        stored = await self.store.add(client_id, wrapped)
        if stored == wrapped:
            return key
        return None if stored is None else await self._open(client_id, stored)

    async def get(self, client_id: str) -> bytes | None:
        """The client's key, or None if there is none (never made, or erased)."""
        stored = await self.store.get(client_id)
        return None if stored is None else await self._open(client_id, stored)

    async def erase(self, client_id: str) -> None:
        """Delete the wrapped key for good, leaving a tombstone. Idempotent."""
        await self.store.erase(client_id)

    async def _open(self, client_id: str, stored: Stored) -> bytes | None:
        if isinstance(stored, str):
            return await self.kek.unwrap(stored, client_id)
        if await self.store.replace(client_id, stored, await self.kek.wrap(stored, client_id)):
            return stored
        return await self.get(client_id)  # erased or wrapped meanwhile

    async def rewrap(self) -> int:
        """Bring every stored key to the KEK's newest version (wrapping any stored in the clear) without touching an
        event or a ciphertext; passes again until none is behind. Returns how many were rewritten."""
        done = 0
        for _ in range(PASSES):
            newest = await self.kek.latest()
            behind = [(c, s) async for c, s in self.store.stored() if isinstance(s, bytes) or version_of(s) < newest]
            if not behind:
                return done
            for client_id, stored in behind:
                done += await self._rewrap_one(client_id, stored)
        raise WrapError(f"data keys still wrapped below version {newest} after {PASSES} passes")

    async def _rewrap_one(self, client_id: str, stored: Stored) -> int:
        try:
            new = (await self.kek.wrap(stored, client_id) if isinstance(stored, bytes)
                   else await self.kek.rewrap(stored, client_id))
        except WrapError as exc:
            raise WrapError(f"client {client_id}: {exc}") from None
        return int(await self.store.replace(client_id, stored, new))


@dataclass(frozen=True)
class Rotation:
    version: int  # the KEK's newest version, which every data key is now wrapped with
    rewrapped: int  # data keys rewritten
    retired: bool  # versions below `version` unwrap no more


async def rotate(keys: ClientKeys, *, new_version: bool = True, retire: bool = False,
                 grace_seconds: float = 0.0) -> Rotation:
    """Rotation of the KEK: a new version (unless `new_version` is False: only rewrap, e.g. to wrap keys an older
    release stored in the clear), every data key rewrapped under it, then — if asked — the older versions retired.
    Before retiring, a last pass after `grace_seconds` catches a key whose wrap began under the old version before
    the rotation and was stored after the pass that found none behind (longer than a request lives, it sees all)."""
    if new_version:
        await keys.kek.rotate()
    rewrapped = await keys.rewrap()
    version = await keys.kek.latest()
    if retire:
        await asyncio.sleep(grace_seconds)
        rewrapped += await keys.rewrap()
        await keys.kek.retire(version)
    return Rotation(version, rewrapped, retire)
