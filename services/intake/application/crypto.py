"""AES-GCM sealing of a client's personal data with the client's own key; the client id is the associated data,
so a ciphertext copied onto another client does not open."""
from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.intake.domain.client import Sealed


def seal(key: bytes, client_id: str, plaintext: str) -> Sealed:
    nonce = os.urandom(12)
    ciphertext = AESGCM(key).encrypt(nonce, plaintext.encode(), client_id.encode())
    return Sealed(base64.b64encode(ciphertext).decode(), base64.b64encode(nonce).decode())


def unseal(key: bytes, client_id: str, sealed: Sealed) -> str | None:
    """The plaintext, or None if it does not open with this key and client id."""
    try:
        return AESGCM(key).decrypt(base64.b64decode(sealed.nonce), base64.b64decode(sealed.ciphertext),
                                   client_id.encode()).decode()
    except (InvalidTag, ValueError):
        return None
