"""What someone holding only a copy of the databases can try: every stored value that could be an AES key, against
every ciphertext in the copy. No key-encryption key here — the attacker never has one."""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bson import Binary
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pymongo import AsyncMongoClient

KEY_SIZES = (16, 24, 32)
WRAPPED = re.compile(r"^[a-z]+:v\d+:")  # `local:v1:...`, `vault:v3:...`: strip the scheme to reach the bytes


@dataclass(frozen=True)
class Sealed:
    ciphertext: bytes
    nonce: bytes
    client_id: str


async def copy(client: AsyncMongoClient[dict[str, Any]], prefix: str, into: str) -> list[str]:
    """Every document of every database whose name starts with `prefix`, into databases named `into` + the rest
    of the name; the names of the databases copied."""
    copied = []
    for name in await client.list_database_names():
        if not name.startswith(prefix):
            continue
        source, target = client[name], client[into + name.removeprefix(prefix)]
        for collection in await source.list_collection_names():
            if docs := await source[collection].find().to_list():
                await target[collection].insert_many(docs)
        copied.append(name)
    return copied


async def documents(client: AsyncMongoClient[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    found = []
    for name in await client.list_database_names():
        if name.startswith(prefix):
            for collection in await client[name].list_collection_names():
                found += await client[name][collection].find().to_list()
    return found


def values(node: Any) -> Iterator[Any]:
    """Every leaf and every mapping of a document, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from values(value)
    elif isinstance(node, list):
        for value in node:
            yield from values(value)
    else:
        yield node


def decoded(value: Any) -> Iterator[bytes]:
    """The bytes a stored value could be: itself, its base64 or hex decoding (with any `<scheme>:v<N>:` stripped)."""
    if isinstance(value, (bytes, Binary)):
        yield bytes(value)
    if not isinstance(value, str):
        return
    text = WRAPPED.sub("", value)
    yield text.encode()
    for decode in (lambda t: base64.b64decode(t, validate=True), lambda t: base64.urlsafe_b64decode(t), bytes.fromhex):
        try:
            yield decode(text)
        except (ValueError, binascii.Error):
            pass


def candidate_keys(docs: list[dict[str, Any]]) -> set[bytes]:
    """Every value that decodes to 16, 24 or 32 bytes; and of every binary or wrapped-looking value (where a key
    could hide inside a blob), every window of those sizes."""
    keys = set()
    for leaf in (v for doc in docs for v in values(doc) if not isinstance(v, dict)):
        blobs = list(decoded(leaf))
        keys |= {b for b in blobs if len(b) in KEY_SIZES}
        if isinstance(leaf, (bytes, Binary)) or (isinstance(leaf, str) and WRAPPED.match(leaf)):
            keys |= {b[i:i + n] for b in blobs if len(b) <= 256 for n in KEY_SIZES for i in range(len(b) - n + 1)}
    return keys


def sealed_values(docs: list[dict[str, Any]]) -> list[Sealed]:
    """Every `{ciphertext, nonce}` in the copy (event payloads), with the client id beside it."""
    found = []
    for node in (v for doc in docs for v in values(doc) if isinstance(v, dict)):
        if isinstance(node.get("ciphertext"), str) and isinstance(node.get("nonce"), str):
            found.append(Sealed(base64.b64decode(node["ciphertext"]), base64.b64decode(node["nonce"]),
                                str(node.get("client_id", ""))))
    return found


def opened(keys: set[bytes], sealed: list[Sealed]) -> list[tuple[Sealed, bytes]]:
    """Each ciphertext some key opens (with its client id as associated data, or none), and its plaintext."""
    found = []
    for item in sealed:
        for key in keys:
            for aad in (item.client_id.encode(), None):
                try:
                    found.append((item, AESGCM(key).decrypt(item.nonce, item.ciphertext, aad)))
                except (InvalidTag, ValueError):
                    continue
    return found


def plaintext_bytes(docs: list[dict[str, Any]]) -> bytes:
    """The copy as bytes an attacker could search: every value, and every decoding of it."""
    return b"\n".join(blob for doc in docs for v in values(doc) if not isinstance(v, dict) for blob in decoded(v))
