"""Protobuf → plain data at the catalogue's gRPC edge."""
from __future__ import annotations

from contracts.events.catalogue import ServiceRecord
from contracts.proto import catalogue_pb2 as pb
from services.catalogue.entrypoints.messages import data


def test_a_full_service_keeps_its_zero_places() -> None:
    full = pb.Service(name="jobhuis", capacity=pb.Capacity(available=0, updated="2026-11-20T09:00:00+00:00"))
    assert ServiceRecord.model_validate(data(full)).capacity.available == 0
    assert "capacity" not in data(pb.Service(name="jobhuis"))  # no capacity recorded stays unrecorded
