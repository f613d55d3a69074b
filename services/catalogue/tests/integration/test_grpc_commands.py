"""Each command of CatalogueService over gRPC on the real stack: recorded, idempotent, refused with the reason."""
from __future__ import annotations

import json
import uuid

import grpc
import pytest
from aiokafka import AIOKafkaConsumer
from google.protobuf.struct_pb2 import Struct

from contracts import topics
from contracts.envelope import Envelope, Role
from contracts.proto import catalogue_pb2 as pb

pytestmark = pytest.mark.integration


def cmd() -> str:
    return uuid.uuid4().hex


def changes(**values) -> Struct:
    s = Struct()
    s.update(values)
    return s


async def refused(api, method: str, request, code: grpc.StatusCode, role: Role = Role.CATALOGUE_ADMIN) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await api.call(method, request, role)
    assert caught.value.code() == code, caught.value.details()
    return caught.value.details()


async def test_a_service_from_registration_to_closure(api) -> None:
    org = await api.call("RegisterOrganization", pb.RegisterOrganizationRequest(
        command_id=cmd(), tenant="kortrijk", organization=pb.Organization(name="OCMW Leiebrugge",
                                                                           kbo_number="0212345678")))
    loc = await api.call("RegisterLocation", pb.RegisterLocationRequest(
        command_id=cmd(), tenant="kortrijk", location=pb.Location(
            name="Sociaal Huis", organization_id=org.id, wheelchair_accessible=True,
            address=pb.Address(street="Leiekaai 1", postal_code="8500", city="Leiebrugge"))))
    register = pb.RegisterServiceRequest(command_id=cmd(), tenant="kortrijk", service=pb.Service(
        organization_id=org.id, name="Woonloket", themes=["housing.search"], languages=["nl", "ara"],
        cost_options=[pb.CostOption(option="Gratis", amount=0)],
        schedules=[pb.Schedule(byday=["TU"], opens_at="09:00", closes_at="12:00")]))
    svc = await api.call("RegisterService", register)
    assert (await api.call("RegisterService", register)).id == svc.id  # a retry changes nothing
    linked = await api.call("LinkServiceAtLocation", pb.LinkServiceAtLocationRequest(
        command_id=cmd(), tenant="kortrijk", service_id=svc.id, location_id=loc.id))
    updated = await api.call("UpdateService", pb.UpdateRequest(
        command_id=cmd(), tenant="kortrijk", id=svc.id, changes=changes(languages=["nl", "ar", "uk"])))
    verified = await api.call("VerifyService", pb.VerifyServiceRequest(
        command_id=cmd(), tenant="kortrijk", id=svc.id, assured_date="2026-11-20"))
    assert (linked.version, updated.version, verified.version) == (2, 3, 4) and updated.changed

    view = await api.call("GetService", pb.GetRequest(tenant="kortrijk", id=svc.id), Role.FRONT_OFFICE)
    assert list(view.service.languages) == ["nl", "ar", "uk"] and view.service.assured_date == "2026-11-20"
    assert [x.location_id for x in view.locations] == [loc.id]

    await api.call("CloseService", pb.CloseRequest(command_id=cmd(), tenant="kortrijk", id=svc.id,
                                                   status="defunct", reason="opgeheven"))
    await refused(api, "UpdateService", pb.UpdateRequest(command_id=cmd(), tenant="kortrijk", id=svc.id,
                                                         changes=changes(name="Terug")),
                  grpc.StatusCode.FAILED_PRECONDITION)
    await api.call("UpdateOrganization", pb.UpdateRequest(command_id=cmd(), tenant="kortrijk", id=org.id,
                                                          changes=changes(website="https://ocmw.example")))
    await api.call("UpdateLocation", pb.UpdateRequest(command_id=cmd(), tenant="kortrijk", id=loc.id,
                                                      changes=changes(transportation="Bus 1")))
    await api.call("CloseLocation", pb.CloseRequest(command_id=cmd(), tenant="kortrijk", id=loc.id,
                                                    reason="verhuisd"))
    closed = await api.call("CloseOrganization", pb.CloseRequest(command_id=cmd(), tenant="kortrijk", id=org.id,
                                                                 reason="fusie"))
    assert closed.changed and closed.version == 3


async def test_bad_input_names_the_field(api) -> None:
    details = await refused(api, "RegisterService", pb.RegisterServiceRequest(
        command_id=cmd(), tenant="kortrijk", service=pb.Service(name="X", themes=["astrology"])),
        grpc.StatusCode.INVALID_ARGUMENT)
    assert "unknown theme 'astrology'" in details
    details = await refused(api, "RegisterService", pb.RegisterServiceRequest(
        command_id=cmd(), tenant="kortrijk", service=pb.Service(name="X", organization_id="nope")),
        grpc.StatusCode.NOT_FOUND)
    assert details == "service.organization_id: organization 'nope' does not exist"
    await refused(api, "VerifyService", pb.VerifyServiceRequest(command_id=cmd(), tenant="kortrijk", id="nope"),
                  grpc.StatusCode.NOT_FOUND)
    await refused(api, "GetService", pb.GetRequest(tenant="kortrijk", id="nope"), grpc.StatusCode.NOT_FOUND)


async def test_only_catalogue_admins_change_the_catalogue(api) -> None:
    await refused(api, "RegisterOrganization", pb.RegisterOrganizationRequest(
        command_id=cmd(), tenant="kortrijk", organization=pb.Organization(name="X")),
        grpc.StatusCode.PERMISSION_DENIED, Role.FRONT_OFFICE)


async def test_events_reach_kafka_keyed_by_stream_with_the_tenant(api) -> None:
    org = await api.call("RegisterOrganization", pb.RegisterOrganizationRequest(
        command_id=cmd(), tenant="kortrijk", organization=pb.Organization(name="Taalcafé De Brug")))
    consumer = AIOKafkaConsumer(api.settings.topic(topics.CATALOGUE_ORGANIZATIONS),
                                bootstrap_servers=api.settings.kafka_bootstrap, auto_offset_reset="earliest",
                                metadata_max_age_ms=500)
    await consumer.start()
    try:
        message = await consumer.getone()
    finally:
        await consumer.stop()
    event = Envelope.from_bytes(message.value)
    assert message.key == f"organization:kortrijk:{org.id}".encode() == event.stream_id.encode()  # per municipality
    assert event.type == "OrganizationRegistered" and event.tenant == "kortrijk"
    assert event.payload["organization_id"] == org.id
    assert json.loads(message.value)["payload"]["record"]["name"] == "Taalcafé De Brug"
