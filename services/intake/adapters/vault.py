"""The KEK in HashiCorp Vault's transit secrets engine (production): the key never leaves Vault; intake sends a data
key to `encrypt` and gets `vault:v<N>:...` back. The transit key must be made with `derived=true`, so the client id,
sent as `context`, selects the key a data key is wrapped with (a wrap copied onto another client does not open).

HTTP API: `POST /v1/<mount>/encrypt|decrypt|rewrap/<key>` with base64 `plaintext` / `ciphertext` and `context`,
`GET /v1/<mount>/keys/<key>`, `POST .../keys/<key>/rotate` and `.../keys/<key>/config` (`min_decryption_version`);
token in `X-Vault-Token`; errors as `{"errors": [...]}`. Standard library only, calls run in a worker thread.
"""
from __future__ import annotations

import asyncio
import base64
import json
import ssl
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from services.plumbing.keyring import KekUnavailable, WrapError


class VaultTransit:
    def __init__(self, address: str, token_file: Path, *, mount: str = "transit", key: str = "wegwijs-intake",
                 ca_file: Path | None = None, timeout: float = 5.0) -> None:
        self.base = f"{address.rstrip('/')}/v1/{mount.strip('/')}"
        self.key, self.token_file, self.timeout = key, token_file, timeout
        self._tls = ssl.create_default_context(cafile=str(ca_file)) if ca_file else None

    async def wrap(self, key: bytes, context: str) -> str:
        body = {"plaintext": _b64(key), "context": _b64(context.encode())}
        return str((await self._call("POST", f"encrypt/{self.key}", body))["ciphertext"])

    async def unwrap(self, wrapped: str, context: str) -> bytes:
        data = await self._call("POST", f"decrypt/{self.key}", {"ciphertext": wrapped,
                                                               "context": _b64(context.encode())})
        return base64.b64decode(data["plaintext"])

    async def rewrap(self, wrapped: str, context: str) -> str:
        data = await self._call("POST", f"rewrap/{self.key}", {"ciphertext": wrapped,
                                                              "context": _b64(context.encode())})
        return str(data["ciphertext"])

    async def latest(self) -> int:
        """The newest version, after checking the key binds the context (a non-derived key would ignore it)."""
        data = await self._call("GET", f"keys/{self.key}")
        if not data.get("derived"):
            raise WrapError(f"vault: transit key {self.key!r} must be created with derived=true")
        return int(data["latest_version"])

    async def rotate(self) -> int:
        await self._call("POST", f"keys/{self.key}/rotate", {})
        return await self.latest()

    async def retire(self, below: int) -> None:
        await self._call("POST", f"keys/{self.key}/config", {"min_decryption_version": below})

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        return await asyncio.to_thread(self._send, method, path, body)

    def _send(self, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        request = urllib.request.Request(f"{self.base}/{path}", method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"X-Vault-Token": self._token(), "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=self._tls) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            failed = KekUnavailable if exc.code >= 500 else WrapError  # 503: sealed or in standby
            raise failed(f"vault {method} {path}: {exc.code} {_errors(exc.read())}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise KekUnavailable(f"vault {method} {path}: unreachable: {getattr(exc, 'reason', exc)}") from None
        return dict(json.loads(raw).get("data") or {}) if raw else {}

    def _token(self) -> str:
        """Read on every call: Vault Agent renews the token in this file."""
        try:
            return self.token_file.read_text().strip()
        except OSError as exc:
            raise WrapError(f"vault: cannot read the token file {self.token_file}: {exc.strerror}") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _errors(raw: bytes) -> str:
    try:
        errors = json.loads(raw).get("errors") or []
    except (ValueError, AttributeError):
        return raw[:200].decode(errors="replace")
    return "; ".join(str(e).strip() for e in errors) or "no detail"
