"""A fake of Vault's transit secrets engine over real HTTP on 127.0.0.1, for the Vault adapter's contract tests.

Same endpoints, bodies, status codes and error shape as Vault for what intake uses: derived aes256-gcm96 keys (the
context picks the key through HKDF), `vault:v<N>:` ciphertexts, rotation, `min_decryption_version`, and a token
policy without `create` (encrypting with an unknown key is refused rather than making one).
"""
from __future__ import annotations

import base64
import binascii
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


MISSING = {400: "encryption key not found", 403: "permission denied"}


class Refused(Exception):
    def __init__(self, status: int, *errors: str) -> None:
        super().__init__(status, errors)
        self.status, self.errors = status, list(errors)


@dataclass
class TransitKey:
    versions: dict[int, bytes] = field(default_factory=lambda: {1: os.urandom(32)})
    min_decryption_version: int = 1
    derived: bool = True  # made with derived=true: the context picks the key

    def cipher(self, version: int, context: str | None) -> AESGCM:
        if not context:
            raise Refused(400, "missing 'context' for key derivation; the key was created using a derived key")
        info = base64.b64decode(context)
        return AESGCM(HKDF(hashes.SHA256(), 32, None, info).derive(self.versions[version]))

    def encrypt(self, plaintext: bytes, context: str | None) -> dict[str, Any]:
        version, nonce = max(self.versions), os.urandom(12)
        sealed = self.cipher(version, context).encrypt(nonce, plaintext, None)
        return {"ciphertext": f"vault:v{version}:{base64.b64encode(nonce + sealed).decode()}", "key_version": version}

    def decrypt(self, ciphertext: str, context: str | None) -> bytes:
        prefix, _, rest = ciphertext.partition(":")
        number, _, blob = rest.partition(":")
        if prefix != "vault" or not number.startswith("v") or not number[1:].isdigit():
            raise Refused(400, "invalid ciphertext: no prefix")
        version = int(number[1:])
        if version < self.min_decryption_version:
            raise Refused(400, "ciphertext or signature version is disallowed by policy (too old)")
        if version not in self.versions:
            raise Refused(400, "invalid key version")
        try:
            raw = base64.b64decode(blob, validate=True)
            return self.cipher(version, context).decrypt(raw[:12], raw[12:], None)
        except (InvalidTag, ValueError, binascii.Error):
            raise Refused(400, "cipher: message authentication failed") from None


class FakeVault:
    def __init__(self, token: str) -> None:
        self.token, self.keys, self.calls = token, {}, []  # calls: (method, path) as received
        self.sealed = False

    def handle(self, method: str, path: str, token: str | None, body: dict[str, Any]) -> dict[str, Any] | None:
        self.calls.append((method, path))
        if self.sealed:
            raise Refused(503, "Vault is sealed")
        if token != self.token:
            raise Refused(403, "permission denied")
        parts = path.removeprefix("/v1/").split("/")
        match method, parts:
            case "GET", [_, "keys", name]:
                key = self._key(name, 404)
                return {"name": name, "type": "aes256-gcm96", "derived": key.derived,
                        "latest_version": max(key.versions),
                        "min_decryption_version": key.min_decryption_version,
                        "keys": {str(v): 1767225600 for v in key.versions}}
            case "POST", [_, "encrypt", name]:
                return self._key(name, 403).encrypt(base64.b64decode(body.get("plaintext", "")), body.get("context"))
            case "POST", [_, "decrypt", name]:
                plain = self._key(name).decrypt(str(body.get("ciphertext", "")), body.get("context"))
                return {"plaintext": base64.b64encode(plain).decode()}
            case "POST", [_, "rewrap", name]:
                key = self._key(name)
                return key.encrypt(key.decrypt(str(body.get("ciphertext", "")), body.get("context")),
                                   body.get("context"))
            case "POST", [_, "keys", name, "rotate"]:
                key = self._key(name)
                key.versions[max(key.versions) + 1] = os.urandom(32)
                return None
            case "POST", [_, "keys", name, "config"]:
                self._key(name).min_decryption_version = int(body["min_decryption_version"])
                return None
        raise Refused(404, f"1 error occurred:\n\t* unsupported path {path}\n\n")

    def _key(self, name: str, status: int = 400) -> TransitKey:
        """The named key; unknown, Vault answers 400 with a reason, 403 without `create`, 404 on a read."""
        if name not in self.keys:
            raise Refused(status, *([MISSING[status]] if status in MISSING else []))
        return self.keys[name]


def _handler(vault: FakeVault) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
                data = vault.handle(method, self.path, self.headers.get("X-Vault-Token"), body)
                status, reply = (204, None) if data is None else (200, {"data": data})
            except Refused as exc:
                status, reply = exc.status, {"errors": exc.errors}
            self.send_response(status)
            payload = b"" if reply is None else json.dumps(reply).encode()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self._answer("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._answer("POST")

        def log_message(self, *_: Any) -> None:
            pass

    return Handler


@contextmanager
def serving(token: str = "s.fake-token",
            keys: tuple[str, ...] = ("wegwijs-intake",)) -> Iterator[tuple[str, FakeVault]]:
    """A fake Vault on a free loopback port with transit keys `keys`: yields its address and the fake."""
    vault = FakeVault(token)
    vault.keys = {name: TransitKey() for name in keys}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(vault))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", vault
    finally:
        server.shutdown()
        server.server_close()
