"""Every pattern a request or an event field must match is put in words when a value does not match (errors.FORMS):
no refusal shows a regular expression."""
from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import contracts
import services
from contracts.events.catalogue import CostOption, Schedule
from services.plumbing.errors import FORMS, violations


def _models() -> list[type[BaseModel]]:
    for package in (contracts, services):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if ".tests" not in info.name and not info.name.endswith(("__main__", "_pb2", "_pb2_grpc")):
                importlib.import_module(info.name)
    found, todo = [], [BaseModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith(("contracts.", "services.")) and ".tests" not in sub.__module__:
                found.append(sub)
    return found


def _patterns(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        own = {schema["pattern"]} if isinstance(schema.get("pattern"), str) else set()
        return own.union(*(_patterns(v) for v in schema.values()))
    if isinstance(schema, list):
        return set().union(*(_patterns(v) for v in schema))
    return set()


def test_every_pattern_of_every_model_is_put_in_words() -> None:
    patterns: dict[str, str] = {}
    for model in _models():
        try:
            schema = model.model_json_schema()
        except Exception:  # noqa: BLE001 - a model with a field JSON Schema cannot express has no pattern to find
            continue
        patterns.update({p: model.__name__ for p in _patterns(schema)})
    assert len(patterns) >= 10, patterns  # the walk found the models
    missing = {p: m for p, m in patterns.items() if p not in FORMS}
    assert not missing, f"patterns without words in errors.FORMS (pattern: a model using it): {missing}"


@pytest.mark.parametrize(("make", "field", "reason"), [
    (lambda: Schedule(freq="WEEKLY", opens_at="25:00"), "opens_at", "should be a time of day from 00:00 to 23:59"),
    (lambda: CostOption(currency="EURO", amount=3), "currency", "should be a currency code of three capital letters"),
])
def test_a_value_of_another_form_is_refused_in_words(make, field, reason) -> None:
    with pytest.raises(ValidationError) as caught:
        make()
    [(named, said)] = violations(caught.value)
    assert named == field and said.startswith(reason) and "^" not in said and "pattern" not in said
