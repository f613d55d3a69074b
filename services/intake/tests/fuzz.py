"""Random and malformed requests for every IntakeService rpc, and the checks that a service survived them."""
from __future__ import annotations

from typing import Any

from google.protobuf import message_factory
from hypothesis import strategies as st

from contracts.events import decode
from contracts.proto import intake_pb2

SERVICE = intake_pb2.DESCRIPTOR.services_by_name["IntakeService"]
RPCS = sorted(SERVICE.methods_by_name)
# Values that reach deep into the rules (known ids are added by the test), mixed with garbage.
WORDS = ["", " ", "kortrijk", "brugge", "gent", "housing", "work", "letters", "astrology", "language", "whatsapp",
         "walk-in", "ar", "nl", "xx", "answered", "gap", "withdrawn", "2026-03-10", "huis", "s-1", "q-nope", "c-nope",
         "+32 470 00 00 00", "a b", "é" * 70, "\x00", "2999-01-01T00:00:00Z", "not-a-date"]


def request_class(rpc: str) -> Any:
    return message_factory.GetMessageClass(SERVICE.methods_by_name[rpc].input_type)


def requests(known: list[str]) -> st.SearchStrategy[tuple[str, Any]]:
    words = st.one_of(st.sampled_from(WORDS + known), st.text(max_size=40))

    def value(field: Any) -> st.SearchStrategy[Any]:
        single = {field.TYPE_STRING: words, field.TYPE_BOOL: st.booleans(),
                  field.TYPE_INT32: st.integers(-2**31, 2**31 - 1)}[field.type]
        return st.lists(single, max_size=5) if field.is_repeated else single

    @st.composite
    def build(draw: st.DrawFn) -> tuple[str, Any]:
        rpc = draw(st.sampled_from(RPCS))
        cls = request_class(rpc)
        fields = {f.name: draw(value(f)) for f in cls.DESCRIPTOR.fields if draw(st.booleans())}
        if "command_id" in fields:
            fields["command_id"] = draw(st.one_of(st.uuids().map(lambda u: u.hex), words))
        return rpc, cls(**fields)
    return build()


def assert_whole(commits: list[Any]) -> None:
    """Every stored commit is whole: its events decode, and each stream's versions run 1, 2, 3… without a hole."""
    versions: dict[str, list[int]] = {}
    for commit in commits:
        assert commit.events, f"empty commit {commit.commit_id}"
        for envelope in commit.events:
            decode(envelope)
            versions.setdefault(envelope.stream_id, []).append(envelope.stream_version)
    for stream, seen in versions.items():
        assert sorted(seen) == list(range(1, len(seen) + 1)), f"{stream}: versions {sorted(seen)}"
