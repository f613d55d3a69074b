"""Published events may only change by a new version with an upcaster; these tests hold the code to that."""
import pytest

from contracts import snapshots
from contracts.events.intake import GapRecorded
from contracts.events.registry import DomainEvent, EventRegistry, UnknownEventType, registry


def test_every_event_type_has_a_committed_schema_snapshot() -> None:
    missing = set(snapshots.current()) - set(snapshots.committed())
    assert not missing, f"write snapshots with `python -m contracts.snapshots`: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(snapshots.committed()))
def test_published_schema_is_unchanged(name: str) -> None:
    current = snapshots.current()
    assert name in current, f"{name} was published and may not disappear: keep the type or its upcaster"
    assert current[name] == snapshots.committed()[name], (
        f"{name} changed incompatibly with its published snapshot: add a new schema_version and an upcaster")


def test_an_old_version_is_upcast_on_read() -> None:
    reg = EventRegistry()

    class V1(DomainEvent):
        language: str

    class V2(DomainEvent):
        languages: tuple[str, ...]

    V1.event_type = V2.event_type = "Thing"
    V1.schema_version, V2.schema_version = 1, 2
    reg.register(V1)
    reg.register(V2)
    reg.upcasters[("Thing", 1)] = lambda p: {"languages": [p["language"]]}
    event = reg.decode("Thing", 1, {"language": "ar"})
    assert isinstance(event, V2) and event.languages == ("ar",)
    assert reg.decode("Thing", 2, {"languages": ["ti"]}).languages == ("ti",)


def test_a_gap_recorded_before_reason_codes_is_read_as_unrecorded() -> None:
    gap = registry.decode("GapRecorded", 1, {"question_id": "q", "theme": "housing", "reason": "none left"})
    assert isinstance(gap, GapRecorded)
    assert (gap.reason_code, gap.reason) == ("unrecorded", "none left")


def test_unknown_and_future_versions_are_refused() -> None:
    reg = EventRegistry()
    with pytest.raises(UnknownEventType):
        reg.decode("Nope", 1, {})

    class V1(DomainEvent):
        x: int

    V1.event_type, V1.schema_version = "Thing", 1
    reg.register(V1)
    with pytest.raises(UnknownEventType, match="newer"):
        reg.decode("Thing", 2, {"x": 1})
