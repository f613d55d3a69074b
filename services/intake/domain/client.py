"""The client aggregate: a pseudonym, consent, and personal data held only as ciphertext (`Sealed`).

Encryption happens outside the domain (the application's key store); the domain sees sealed values and decides.
A client stream starts with ClientRegistered; any first command on an unknown pseudonym registers it.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.events import DomainEvent
from contracts.events.intake_client import (
    ClientConsentRecorded, ClientContactDetailsRecorded, ClientErased, ClientNoteAdded, ClientRegistered)
from services.intake.domain.errors import ClientRuleViolated, Unknown
from services.intake.domain.fields import ClientId, Command, Query, SealedText
from services.plumbing.screening import SEALED


class RegisterClient(Command):
    pass


class ClientCommand(Command):
    client_id: ClientId


class RecordConsent(ClientCommand):
    referral_sharing: bool = False
    contact_by_whatsapp: bool = False
    contact_by_phone: bool = False
    do_not_contact: bool = False

    @model_validator(mode="after")
    def _coherent(self) -> RecordConsent:
        if self.do_not_contact and (self.contact_by_whatsapp or self.contact_by_phone):
            raise ValueError("do_not_contact excludes contact by WhatsApp or phone")
        return self


class ContactDetails(BaseModel):
    """What is encrypted as the client's contact details (plaintext exists only in memory)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    phone: Annotated[str, SEALED] = Field(default="", max_length=40, pattern=r"^[0-9+ ()./-]*$")
    whatsapp: Annotated[str, SEALED] = Field(default="", max_length=40, pattern=r"^[0-9+ ()./-]*$")
    email: Annotated[str, SEALED] = Field(default="", max_length=200)
    address: Annotated[str, SEALED] = Field(default="", max_length=400)


class RecordContactDetails(ClientCommand, ContactDetails):
    @model_validator(mode="after")
    def _something(self) -> RecordContactDetails:
        if not (self.phone or self.whatsapp or self.email or self.address):
            raise ValueError("give at least one of phone, whatsapp, email, address")
        return self

    def details(self) -> ContactDetails:
        return ContactDetails(phone=self.phone, whatsapp=self.whatsapp, email=self.email, address=self.address)


class AddClientNote(ClientCommand):
    text: SealedText


class EraseClient(ClientCommand):
    pass


class GetClient(Query):
    client_id: ClientId


@dataclass(frozen=True)
class Sealed:
    """A value encrypted with the client's key: base64 ciphertext and nonce."""

    ciphertext: str
    nonce: str


@dataclass(frozen=True)
class Client:
    client_id: str
    version: int = 0
    erased: bool = False

    def apply(self, event: DomainEvent) -> Client:
        nxt = replace(self, version=self.version + 1)
        match event:
            case ClientErased():
                return replace(nxt, erased=True)
            case ClientRegistered() | ClientConsentRecorded() | ClientContactDetailsRecorded() | ClientNoteAdded():
                return nxt
        raise ClientRuleViolated(f"client cannot apply {type(event).__name__}")

    @classmethod
    def replay(cls, client_id: str, events: Iterable[DomainEvent]) -> Client:
        state = cls(client_id)
        for event in events:
            state = state.apply(event)
        return state


def _registered(state: Client) -> list[DomainEvent]:
    """ClientRegistered if this is the pseudonym's first event; refused once the client is erased."""
    if state.erased:
        raise ClientRuleViolated(f"client_id: client {state.client_id} is erased; nothing more is recorded")
    return [] if state.version else [ClientRegistered(client_id=state.client_id)]


def register(state: Client) -> list[DomainEvent]:
    if state.version:
        raise ClientRuleViolated(f"client_id: client {state.client_id} is already registered")
    return _registered(state)


def record_consent(state: Client, cmd: RecordConsent) -> list[DomainEvent]:
    return [*_registered(state), ClientConsentRecorded(
        client_id=state.client_id, referral_sharing=cmd.referral_sharing, contact_by_whatsapp=cmd.contact_by_whatsapp,
        contact_by_phone=cmd.contact_by_phone, do_not_contact=cmd.do_not_contact)]


def record_contact_details(state: Client, sealed: Sealed) -> list[DomainEvent]:
    return [*_registered(state), ClientContactDetailsRecorded(
        client_id=state.client_id, ciphertext=sealed.ciphertext, nonce=sealed.nonce)]


def add_note(state: Client, note_id: str, sealed: Sealed) -> list[DomainEvent]:
    return [*_registered(state), ClientNoteAdded(
        client_id=state.client_id, note_id=note_id, ciphertext=sealed.ciphertext, nonce=sealed.nonce)]


def erase(state: Client) -> list[DomainEvent]:
    if not state.version:
        raise Unknown(f"client_id: client {state.client_id!r} does not exist")
    if state.erased:
        raise ClientRuleViolated(f"client_id: client {state.client_id} is already erased")
    return [ClientErased(client_id=state.client_id)]
