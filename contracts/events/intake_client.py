"""Events of intake's clients: a pseudonym, consent, and personal data only as AES-GCM ciphertext.

Contact details and notes are encrypted with a key per client held by intake (crypto-shredding): `ciphertext` and
`nonce` are base64; the client id is bound as associated data. Erasure deletes the key, so nothing here can be read
back afterwards, while the pseudonymous history still counts.
"""
from __future__ import annotations

from pydantic import Field

from contracts import topics
from contracts.events.registry import DomainEvent, event

B64 = Field(min_length=1, max_length=20_000, pattern=r"^[A-Za-z0-9+/=]+$")


@event("ClientRegistered", version=1, topic=topics.INTAKE_CLIENTS)
class ClientRegistered(DomainEvent):
    """A newcomer got a random pseudonym. Nothing else about the person is recorded here."""

    client_id: str


@event("ClientConsentRecorded", version=1, topic=topics.INTAKE_CLIENTS)
class ClientConsentRecorded(DomainEvent):
    """What the client agreed to, as a whole (replaces earlier consent): sharing their question with a service
    they are referred to, being contacted by WhatsApp or by phone, or not being contacted at all."""

    client_id: str
    referral_sharing: bool = False
    contact_by_whatsapp: bool = False
    contact_by_phone: bool = False
    do_not_contact: bool = False


@event("ClientContactDetailsRecorded", version=1, topic=topics.INTAKE_CLIENTS)
class ClientContactDetailsRecorded(DomainEvent):
    """The client's contact details (replacing earlier ones), encrypted with the client's key. Never plaintext."""

    client_id: str
    ciphertext: str = B64
    nonce: str = B64


@event("ClientNoteAdded", version=1, topic=topics.INTAKE_CLIENTS)
class ClientNoteAdded(DomainEvent):
    """A bridge worker's free-text note about the client, encrypted with the client's key. Never plaintext."""

    client_id: str
    note_id: str
    ciphertext: str = B64
    nonce: str = B64


@event("ClientErased", version=1, topic=topics.INTAKE_CLIENTS)
class ClientErased(DomainEvent):
    """The client asked to be forgotten: their key is deleted, so their contact details and notes are unreadable
    everywhere. The pseudonymous history (questions, themes, outcomes) stays and still counts."""

    client_id: str
