"""Every string field of every command of every service is classified, and free text never carries contact details.

The commands come from the services' domain modules (every model with a `command_id`), so a new command or field is
covered without editing this test. Each field is one of:
- screened: a contact detail hidden in a sentence is refused, naming the field and what was found;
- sealed: the handler encrypts it with the client's key, so no event and no view holds it in plaintext;
- public: data about the offer (catalogue, offices), published as it is;
- a code or an id: it refuses an ordinary sentence by itself.
A string field that is none of these fails here. Unit level: in-memory fakes, no I/O.
"""
from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import json
import pkgutil
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

import services
from services.intake.application import queries
from services.intake.domain import client
from services.intake.tests.helpers import Desk
from services.plumbing import screening
from services.plumbing.tests.details import DETAILS, hidden, ordinary

ROOT = Path(__file__).resolve().parents[2]
SENTENCE = "Ze komt morgen terug voor haar brief"
MANY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much,
                                                                        HealthCheck.function_scoped_fixture])


def _commands() -> list[type[BaseModel]]:
    """Every model with a `command_id` in the domain modules of every service (a package of `services` with a
    `domain` package: a new service is walked too)."""
    found: dict[str, type[BaseModel]] = {}
    for service in pkgutil.iter_modules(services.__path__):
        if not service.ispkg or importlib.util.find_spec(f"services.{service.name}.domain") is None:
            continue
        domain = importlib.import_module(f"services.{service.name}.domain")
        for info in pkgutil.iter_modules(domain.__path__):
            module = importlib.import_module(f"{domain.__name__}.{info.name}")
            for obj in vars(module).values():
                if isinstance(obj, type) and issubclass(obj, BaseModel) and "command_id" in obj.model_fields \
                        and obj.__module__ == module.__name__:
                    found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[k] for k in sorted(found)]


COMMANDS = _commands()
FIELDS = [(cls, name) for cls in COMMANDS for name in cls.model_fields]


def kind(cls: type[BaseModel], name: str) -> str | None:
    return screening.kind_of(cls.model_fields[name])


def of_kind(k: str) -> list[tuple[type[BaseModel], str]]:
    return [(cls, name) for cls, name in FIELDS if kind(cls, name) == k]


def _ids(fields: list[tuple[type[BaseModel], str]]) -> list[str]:
    return [f"{cls.__name__}.{name}" for cls, name in fields]


def errors_at(cls: type[BaseModel], name: str, value: Any) -> list[dict[str, Any]]:
    """The validation errors of `cls` at field `name` when it is given `value` (other fields may be missing)."""
    try:
        cls.model_validate({name: value})
    except ValidationError as exc:
        return [e for e in exc.errors() if e["loc"][:1] == (name,)]
    return []


def shaped(cls: type[BaseModel], name: str, text: str) -> Any:
    """`text` as the field takes it: the string itself, or a list holding it (a list of labels)."""
    return text if not errors_at(cls, name, SENTENCE) else [text]


def test_commands_are_found_in_every_writing_service() -> None:
    modules = {cls.__module__.split(".")[1] for cls in COMMANDS}
    assert {"intake", "referral", "catalogue"} <= modules and len(COMMANDS) > 30


@pytest.mark.parametrize(("cls", "name"), [f for f in FIELDS if kind(*f) is None], ids=_ids(
    [f for f in FIELDS if kind(*f) is None]))
def test_a_field_that_is_not_free_text_refuses_a_sentence(cls: type[BaseModel], name: str) -> None:
    """Neither screened, sealed nor public: then a code or an id, and an ordinary sentence does not fit it."""
    accepted = [v for v in (SENTENCE, [SENTENCE], {SENTENCE: SENTENCE}) if not errors_at(cls, name, v)]
    assert not accepted, (f"{cls.__name__}.{name} takes free text but is classified neither screened, sealed nor "
                          "public (services/plumbing/screening.py; docs/architecture.md, personal data)")


@pytest.mark.parametrize(("cls", "name"), of_kind("screened"), ids=_ids(of_kind("screened")))
@MANY
@given(data=st.data())
def test_a_screened_field_refuses_every_kind_of_detail(cls: type[BaseModel], name: str,
                                                        data: st.DataObject) -> None:
    found = data.draw(st.sampled_from(sorted(DETAILS)))
    sentence = data.draw(hidden(DETAILS[found]))
    refused = errors_at(cls, name, shaped(cls, name, sentence))
    assert refused and refused[0]["type"] == "contact_details", sentence
    assert refused[0]["msg"].startswith(f"contains {found}") or found in refused[0]["msg"], refused[0]["msg"]
    assert "contact details are never" in refused[0]["msg"]


@pytest.mark.parametrize(("cls", "name"), of_kind("screened"), ids=_ids(of_kind("screened")))
@MANY
@given(sentence=ordinary)
def test_a_screened_field_takes_ordinary_sentences(cls: type[BaseModel], name: str, sentence: str) -> None:
    assert not errors_at(cls, name, shaped(cls, name, sentence[:200]))


@pytest.mark.parametrize(("cls", "name"), of_kind("screened"), ids=_ids(of_kind("screened")))
def test_a_screened_field_is_bounded_before_it_is_screened(cls: type[BaseModel], name: str) -> None:
    """Screening is linear in the text; the model's length limit keeps that bounded (a 100,000-character text is
    refused as too long, not scanned)."""
    refused = errors_at(cls, name, shaped(cls, name, "Bel 0470 12 34 56. " * 5_000))
    assert [e["type"] for e in refused] == ["string_too_long"]


def test_at_least_the_fields_the_issue_names_are_screened() -> None:
    screened = set(_ids(of_kind("screened")))
    assert {"ReferToService.note", "Reject.note", "Hold.note", "Fail.note", "ReportSignal.text",
            "ReportSignal.services", "RecordGap.reason", "AccompanyClient.service", "ReopenQuestion.reason"} <= screened


def test_sealed_fields_are_on_client_commands_only() -> None:
    """Sealing takes the client's key: a sealed field on a command without a client is a mistake."""
    for cls, name in of_kind("sealed"):
        assert cls.__module__ == client.__name__ and "client_id" in cls.model_fields, f"{cls.__name__}.{name}"
    assert set(_ids(of_kind("sealed"))) >= {"AddClientNote.text", "RecordContactDetails.phone",
                                            "RecordContactDetails.email", "RecordContactDetails.address"}


@pytest.mark.parametrize(("cls", "name"), of_kind("sealed"), ids=_ids(of_kind("sealed")))
@MANY
@given(data=st.data())
async def test_a_sealed_field_is_kept_only_as_ciphertext(cls: type[BaseModel], name: str,
                                                          data: st.DataObject) -> None:
    found = data.draw(st.sampled_from(sorted(DETAILS)))
    detail = data.draw(DETAILS[found])
    sentence = data.draw(hidden(st.just(detail))) + " Vraagt naar Amina."
    value = next((v for v in (sentence, detail) if not errors_at(cls, name, v)), None)
    if value is None:  # e.g. an e-mail address for a phone field: the field refuses it anyway
        return
    desk = Desk()
    cl = (await desk.run(client.RegisterClient))["client_id"]
    await desk.run(cls, client_id=cl, **{name: value})
    stored = json.dumps([c.model_dump(mode="json") for c in desk.deps.store.commits.values()], ensure_ascii=False)
    views = json.dumps(getattr(desk.deps.views, "docs", {}), default=str, ensure_ascii=False)
    for plain in (value.strip(), detail):
        assert plain not in stored and plain not in views
    view = await queries.get_client(client.GetClient(tenant=desk.tenant, client_id=cl), desk.deps)
    shown = json.dumps(dataclasses.asdict(view), ensure_ascii=False,
                       default=lambda o: o.model_dump() if hasattr(o, "model_dump") else str(o))
    assert json.dumps(value.strip(), ensure_ascii=False)[1:-1] in shown  # kept, for the worker, until erased


def test_the_architecture_table_lists_every_free_text_field() -> None:
    """docs/architecture.md decides per field: each classified field is named there as `Class.field`."""
    doc = (ROOT / "docs" / "architecture.md").read_text()
    for cls, name in FIELDS:
        if kind(cls, name) is None:
            continue
        owner = next(c for c in cls.__mro__ if name in getattr(c, "__annotations__", {}))
        if owner.__name__ == "ContactDetails":
            owner = cls
        assert re.search(rf"`{owner.__name__}\.{name}`", doc), f"{owner.__name__}.{name} is not in the table"
