"""A keyring of key-encryption keys (KEKs) for development: numbered 256-bit AES keys, kept in one JSON file
(`{"versions": {"1": "<base64>", ...}}`) made by `wegwijs dev-secrets`, never in a database.

A key is wrapped with AES-GCM under the newest version, the caller's context (intake: the client id) as associated
data, and reads `local:v<N>:<base64 of nonce + ciphertext>` — the shape of Vault transit's `vault:v<N>:...`, so
rotation tells versions apart the same way for both. Production keeps its KEK in Vault instead (deploy/README.md).
"""
from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SCHEME = "local"


class WrapError(Exception):
    """A key could not be wrapped or unwrapped: no such KEK or version (unknown, retired), wrong context, a malformed
    wrapped key, or the KEK's holder unreachable."""


class KekUnavailable(WrapError):
    """The KEK's holder does not answer (Vault unreachable, sealed or failing): a request may succeed later."""


def version_of(wrapped: str) -> int:
    """The KEK version a wrapped key was made with (`<scheme>:v<N>:<ciphertext>`)."""
    parts = wrapped.split(":", 2)
    if len(parts) != 3 or not parts[1].startswith("v") or not parts[1][1:].isdigit():
        raise WrapError("not a wrapped key: expected '<scheme>:v<N>:<ciphertext>'")
    return int(parts[1][1:])


@dataclass
class Keyring:
    versions: dict[int, bytes] = field(default_factory=lambda: {1: os.urandom(32)})

    def latest(self) -> int:
        if not self.versions:
            raise WrapError("the keyring holds no key-encryption key")
        return max(self.versions)

    def wrap(self, key: bytes, context: str) -> str:
        version, nonce = self.latest(), os.urandom(12)
        sealed = AESGCM(self.versions[version]).encrypt(nonce, key, context.encode())
        return f"{SCHEME}:v{version}:{base64.b64encode(nonce + sealed).decode()}"

    def unwrap(self, wrapped: str, context: str) -> bytes:
        version = version_of(wrapped)
        if not wrapped.startswith(SCHEME + ":"):
            raise WrapError(f"not wrapped by a local keyring: {wrapped.split(':', 1)[0]!r}")
        if (kek := self.versions.get(version)) is None:
            raise WrapError(f"key-encryption key version {version} is not in the keyring (retired or never made)")
        try:
            blob = base64.b64decode(wrapped.split(":", 2)[2], validate=True)
            return AESGCM(kek).decrypt(blob[:12], blob[12:], context.encode())
        except (InvalidTag, ValueError, binascii.Error):
            raise WrapError("the wrapped key does not open with this context") from None

    def rewrap(self, wrapped: str, context: str) -> str:
        return self.wrap(self.unwrap(wrapped, context), context)

    def rotate(self) -> int:
        """Add a new newest version; older versions still unwrap until retired."""
        self.versions[version := self.latest() + 1] = os.urandom(32)
        return version

    def retire(self, below: int) -> None:
        """Forget every version below `below` (the newest is always kept)."""
        if below > self.latest():
            raise WrapError(f"cannot retire up to version {below}: the newest is {self.latest()}")
        self.versions = {v: k for v, k in self.versions.items() if v >= below}

    def dumps(self) -> bytes:
        return json.dumps({"versions": {str(v): base64.b64encode(k).decode() for v, k in self.versions.items()}},
                          indent=2).encode()

    @classmethod
    def loads(cls, data: bytes) -> Keyring:
        try:
            versions = {int(v): base64.b64decode(k, validate=True) for v, k in json.loads(data)["versions"].items()}
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
            raise WrapError(f"not a keyring: {exc}") from None
        if any(len(k) != 32 for k in versions.values()):
            raise WrapError("not a keyring: every key must be 32 bytes")
        return cls(versions)


def read(path: Path) -> Keyring:
    try:
        return Keyring.loads(path.read_bytes())
    except OSError as exc:
        raise WrapError(f"cannot read the keyring {path}: {exc.strerror}") from None
    except WrapError as exc:
        raise WrapError(f"{path}: {exc}") from None


def write(path: Path, keyring: Keyring) -> None:
    """Replace the file in one step (a reader sees the old keyring or the new one, never half), readable by its
    owner only."""
    part = path.with_name(path.name + ".part")
    part.write_bytes(keyring.dumps())
    part.chmod(0o600)
    os.replace(part, path)


def create(path: Path) -> Path:
    """A new keyring with one version at `path`, unless one is there: it is never replaced, since every client's
    data key is wrapped with it."""
    if not path.exists():
        write(path, Keyring())
    return path
