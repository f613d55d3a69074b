"""An HSDS import is linear in its size and bounded before any object is validated; it stops when told to."""
from __future__ import annotations

import json
import time
import uuid

import pytest

from services.catalogue.adapters import hsds
from services.catalogue.tests.support import EXAMPLES, SCHEMAS
from services.plumbing.errors import InvalidArgument
from services.plumbing.offload import Stop, Stopped

LIMITS = hsds.Limits()


def test_parsing_is_linear_twenty_thousand_objects_in_seconds_not_minutes() -> None:
    started = time.perf_counter()
    items = hsds.parse([{}] * 20_000, SCHEMAS)
    assert len(items) == 20_000 and all(item.problems for item in items)
    assert time.perf_counter() - started < 15  # quadratic (items.index per item): over 40 s


def test_the_order_is_kinds_in_dependency_order_each_in_document_order_first_place_kept() -> None:
    full = json.loads((EXAMPLES / "organization_full.json").read_text())
    items = hsds.parse([{"id": "svc-z", "name": "z", "status": "active"}, full], SCHEMAS)
    kinds = [item.kind for item in items]
    assert kinds == sorted(kinds, key=lambda k: hsds.ORDER[k])
    services = [item.hsds_id for item in items if item.kind == "service"]
    assert services[0] == "svc-z" and len(services) == len(set(services))


def test_a_hundred_thousand_objects_are_refused_at_once_before_any_is_validated() -> None:
    started = time.perf_counter()
    with pytest.raises(InvalidArgument) as caught:
        hsds.read(json.dumps([{}] * 100_000), SCHEMAS, None, LIMITS)
    assert caught.value.field == "document" and "more than 5,000 objects" in caught.value.reason
    assert time.perf_counter() - started < 2


def test_nested_objects_count_towards_the_limit() -> None:
    org = {"id": "o", "name": "OCMW", "locations": [{"id": f"l{i}", "location_type": "physical"}
                                                     for i in range(40)]}
    with pytest.raises(InvalidArgument) as caught:
        hsds.read(json.dumps(org), SCHEMAS, None, hsds.Limits(records=30))
    assert "more than 30 objects" in caught.value.reason


def test_an_object_over_the_byte_limit_is_named_hsds_extra_included() -> None:
    doc = [{"id": f"s{i}", "name": "x", "status": "active"} for i in range(5)]
    doc[3]["wait_time"] = "w" * 100_000  # not modelled: it would travel in hsds_extra
    with pytest.raises(InvalidArgument) as caught:
        hsds.read(json.dumps(doc), SCHEMAS, None, LIMITS)
    assert caught.value.field == "document[3]"
    assert "at most 65,536 bytes per object" in caught.value.reason and "(100,0" in caught.value.reason


def test_many_large_objects_are_named_by_the_first_few_and_counted() -> None:
    doc = [{"id": f"s{i}", "name": "x" * 70_000, "status": "active"} for i in range(40)]
    with pytest.raises(InvalidArgument) as caught:
        hsds.read(json.dumps(doc), SCHEMAS, None, LIMITS)
    assert caught.value.field == "document" and caught.value.reason.endswith("and 35 more")
    assert len(str(caught.value)) < 400


def test_a_nested_object_is_measured_without_its_own_nested_objects() -> None:
    org = {"id": str(uuid.uuid4()), "name": "OCMW", "description": "d", "locations": [
        {"id": str(uuid.uuid4()), "location_type": "physical", "name": "y" * 1000} for _ in range(100)]}
    items = hsds.read(json.dumps(org), SCHEMAS, None, LIMITS)
    assert [item.kind for item in items].count("location") == 100  # 100 kB in all, none refused for its size


@pytest.mark.parametrize("text, reason", [("[" * 100_000, "nested too deep"), ("{", "not JSON")])
def test_bad_json_names_the_document(text: str, reason: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        hsds.read(text, SCHEMAS, None, LIMITS)
    assert caught.value.field == "document" and caught.value.reason.startswith(reason)


def test_parsing_stops_when_told() -> None:
    stop = Stop()
    stop.set()
    with pytest.raises(Stopped):
        hsds.parse([{}] * 10, SCHEMAS, stop=stop)
