"""Use cases of intake: load, decide, append. `HANDLERS` is the service's table of contents."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from contracts.envelope import Envelope
from services.intake.application import crypto
from services.intake.application.references import resolved
from services.intake.application.unit import Context, Deps, execute
from services.intake.application.views import document
from services.intake.domain import client, office, question, signal
from services.intake.domain import commands as c
from services.intake.domain.errors import ClientRuleViolated
from services.intake.domain.fields import Command

__all__ = ["Context", "Deps", "HANDLERS", "handle"]
NEW_CLIENTS = uuid.UUID("6f1d3c52-8a0e-4f7b-9c1e-2b5d7a9e4c10")  # namespace of the command ids of implicit clients


def _question(cmd: c.QuestionCommand | c.RegisterQuestion, ctx: Context, deps: Deps, question_id: str,
              decide: Callable[[question.Question], Any], **more: Any) -> Any:
    async def view(state: question.Question, stream: Sequence[Envelope]) -> None:
        await deps.views.put(document(state, stream))

    return execute(cmd, ctx, deps, stream_id=question_id, initial=lambda: question.Question(question_id),
                   decide=decide, after=view,
                   result=lambda s: {"question_id": s.question_id, "client_id": s.client_id, "status": s.status},
                   **more)


async def register_question(cmd: c.RegisterQuestion, ctx: Context, deps: Deps) -> dict[str, Any]:
    client_id = cmd.client_id or await _new_client(cmd, ctx, deps)
    question_id = f"q-{deps.new_id()}"
    return await _question(cmd, ctx, deps, question_id, lambda s: question.register(s, cmd, client_id),
                           occurred_at=cmd.occurred_at, new_stream=True)


async def _new_client(cmd: c.RegisterQuestion, ctx: Context, deps: Deps) -> str:
    """A new client's stream starts with their first question, so the pseudonym handed back is one every later call
    finds in this municipality. Its command id is derived from the question's: a retry gets the same client."""
    first = client.RegisterClient(command_id=uuid.uuid5(NEW_CLIENTS, cmd.command_id).hex, tenant=cmd.tenant)
    registered = await _client(first, ctx, deps, f"c-{deps.new_id()}", client.register, new_stream=True,
                               occurred_at=cmd.occurred_at)
    return str(registered["client_id"])


def _on_question(decide: Callable[[question.Question, Any], Any]) -> Callable[..., Any]:
    async def handler(cmd: Any, ctx: Context, deps: Deps) -> dict[str, Any]:
        return await _question(cmd, ctx, deps, cmd.question_id, lambda s: decide(s, cmd))
    return handler


def _client(cmd: Command, ctx: Context, deps: Deps, client_id: str, decide: Callable[[client.Client], Any],
            **more: Any) -> Any:
    return execute(cmd, ctx, deps, stream_id=client_id, initial=lambda: client.Client(client_id), decide=decide,
                   result=lambda s: {"client_id": s.client_id}, **more)


async def register_client(cmd: client.RegisterClient, ctx: Context, deps: Deps) -> dict[str, Any]:
    client_id = f"c-{deps.new_id()}"
    await deps.keys.get_or_create(client_id)
    return await _client(cmd, ctx, deps, client_id, client.register, new_stream=True)


async def record_consent(cmd: client.RecordConsent, ctx: Context, deps: Deps) -> dict[str, Any]:
    return await _client(cmd, ctx, deps, cmd.client_id, lambda s: client.record_consent(s, cmd))


async def _sealed(deps: Deps, client_id: str, plaintext: str) -> client.Sealed:
    key = await deps.keys.get_or_create(client_id)
    if key is None:
        raise ClientRuleViolated(f"client_id: client {client_id} is erased; nothing more is recorded")
    return crypto.seal(key, client_id, plaintext)


async def record_contact_details(cmd: client.RecordContactDetails, ctx: Context, deps: Deps) -> dict[str, Any]:
    sealed = await _sealed(deps, cmd.client_id, cmd.details().model_dump_json())
    return await _client(cmd, ctx, deps, cmd.client_id, lambda s: client.record_contact_details(s, sealed))


async def add_client_note(cmd: client.AddClientNote, ctx: Context, deps: Deps) -> dict[str, Any]:
    note_id, sealed = f"n-{deps.new_id()}", await _sealed(deps, cmd.client_id, cmd.text)
    return await _client(cmd, ctx, deps, cmd.client_id, lambda s: client.add_note(s, note_id, sealed))


async def erase_client(cmd: client.EraseClient, ctx: Context, deps: Deps) -> dict[str, Any]:
    """The key goes before ClientErased is appended: if the append fails, the data is unreadable already."""
    async def forget(_: client.Client) -> None:
        await deps.keys.erase(cmd.client_id)
    return await _client(cmd, ctx, deps, cmd.client_id, client.erase, before=forget)


def _on_office(decide: Callable[[office.Office, Any], Any]) -> Callable[..., Any]:
    async def handler(cmd: Any, ctx: Context, deps: Deps) -> dict[str, Any]:
        stream_id = office.stream_of(cmd.tenant, cmd.office_id)
        return await execute(cmd, ctx, deps, stream_id=stream_id, initial=lambda: office.Office(stream_id),
                             decide=lambda s: decide(s, cmd), result=lambda s: {"office_id": s.office_id})
    return handler


async def report_signal(cmd: signal.ReportSignal, ctx: Context, deps: Deps) -> dict[str, Any]:
    signal_id = f"s-{deps.new_id()}"
    return await execute(cmd, ctx, deps, stream_id=signal_id, initial=lambda: _Fresh(),
                         decide=lambda _: signal.report(signal_id, cmd), result=lambda _: {"signal_id": signal_id},
                         new_stream=True)


class _Fresh:
    """A one-event stream has no state to speak of: only its version."""

    version = 0

    def apply(self, _: object) -> _Fresh:
        self.version += 1
        return self


HANDLERS: dict[type[Command], Callable[..., Any]] = {
    c.RegisterQuestion: register_question,
    c.ClarifyQuestion: _on_question(question.clarify),
    c.InformClient: _on_question(question.inform),
    c.AccompanyClient: _on_question(question.accompany),
    c.RecordGap: _on_question(question.record_gap),
    c.CloseQuestion: _on_question(question.close),
    c.ReopenQuestion: _on_question(question.reopen),
    client.RegisterClient: register_client,
    client.RecordConsent: record_consent,
    client.RecordContactDetails: record_contact_details,
    client.AddClientNote: add_client_note,
    client.EraseClient: erase_client,
    office.OpenOffice: _on_office(office.open_office),
    office.AddBridgeWorker: _on_office(office.add_worker),
    office.ChangeBridgeWorkerLanguages: _on_office(office.change_languages),
    office.RecountOfficeLanguages: _on_office(office.recount_languages),
    signal.ReportSignal: report_signal,
}


@resolved
async def handle(cmd: Command, ctx: Context, deps: Deps) -> dict[str, Any]:
    return await HANDLERS[type(cmd)](cmd, ctx, deps)
