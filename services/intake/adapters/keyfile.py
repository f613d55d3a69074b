"""The KEK from a local keyring file (`WEGWIJS_KEK_KEYRING_FILE`, made by `wegwijs dev-secrets`): development and
tests. The file is read again whenever it changed, so a running intake wraps with the version a rotation just made
and stops using one it retired."""
from __future__ import annotations

import os
from pathlib import Path

from services.plumbing import keyring
from services.plumbing.keyring import Keyring


class FileKeyWrapper:
    """One rotation at a time (the `wegwijs keys` command); intake processes only read the file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[int, int, int] | None = None
        self._ring = Keyring({})

    def _current(self) -> Keyring:
        try:
            info = os.stat(self.path)
        except OSError as exc:
            raise keyring.WrapError(f"cannot read the keyring {self.path}: {exc.strerror}") from None
        if (seen := (info.st_ino, info.st_mtime_ns, info.st_size)) != self._seen:
            self._ring, self._seen = keyring.read(self.path), seen
        return self._ring

    async def wrap(self, key: bytes, context: str) -> str:
        return self._current().wrap(key, context)

    async def unwrap(self, wrapped: str, context: str) -> bytes:
        return self._current().unwrap(wrapped, context)

    async def rewrap(self, wrapped: str, context: str) -> str:
        return self._current().rewrap(wrapped, context)

    async def latest(self) -> int:
        return self._current().latest()

    async def rotate(self) -> int:
        ring = keyring.read(self.path)
        version = ring.rotate()
        keyring.write(self.path, ring)
        return version

    async def retire(self, below: int) -> None:
        ring = keyring.read(self.path)
        ring.retire(below)
        keyring.write(self.path, ring)
