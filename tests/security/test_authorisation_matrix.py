"""Every gRPC method × every role × own/other municipality × own/other partner, from the methods' declarations.

The methods come from the .proto descriptors, so a new method (or service) without an access declaration fails here.
"""
from __future__ import annotations

import asyncio
import importlib
import itertools
import pkgutil
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import pytest
from google.protobuf import message_factory

import contracts.proto
from contracts.envelope import Role
from services.catalogue.adapters.views_memory import InMemoryViews
from services.catalogue.application.handlers import Deps as CatalogueDeps
from services.catalogue.bootstrap import CatalogueSettings
from services.catalogue.entrypoints.grpc_api import CatalogueServicer
from services.insights.domain.views import all_views
from services.insights.entrypoints.grpc_api import InsightsServicer
from services.intake.application.handlers import Deps
from services.intake.entrypoints.grpc_api import IntakeServicer
from services.plumbing import auth, devsecrets, grpcserver
from services.plumbing.eventstore.memory import InMemoryEventStore
from services.plumbing.projection.store import ProjectionStore
from services.referral.application.handlers import Deps as ReferralDeps
from services.referral.application.memory import InMemoryReference, InMemoryViews as InMemoryReferralViews
from services.referral.entrypoints.grpc_api import ReferralServicer

pytestmark = pytest.mark.integration
OWN, OTHER = "kortrijk", "brugge"
OWN_PARTNER, OTHER_PARTNER = "ocmw-kortrijk", "vzw-elders"
ROLES = [r for r in Role if r is not Role.SYSTEM]
DENIED = {grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED}

# Service full name → servicer class and how to build it for the matrix (fakes where a fake exists).
SERVICERS: dict[str, tuple[type, Callable[[dict[str, Any]], Any]]] = {
    "wegwijs.intake.v1.IntakeService": (IntakeServicer, lambda env: IntakeServicer(Deps(store=InMemoryEventStore()))),
    "wegwijs.catalogue.v1.CatalogueService": (CatalogueServicer, lambda env: CatalogueServicer(
        CatalogueDeps(store=InMemoryEventStore(), views=InMemoryViews()), CatalogueSettings().hsds_schema_dir)),
    "wegwijs.insights.v1.InsightsService": (InsightsServicer, lambda env: InsightsServicer(
        ProjectionStore(env["mongo"], env["settings"].database("insights"), packed=all_views().packed))),
    "wegwijs.referral.v1.ReferralService": (ReferralServicer, lambda env: ReferralServicer(ReferralDeps(
        store=InMemoryEventStore(), views=InMemoryReferralViews(), reference=InMemoryReference()))),
}


def proto_services() -> dict[str, tuple[Any, Any]]:
    """Every service declared in contracts/proto: full name → (descriptor, generated grpc module)."""
    found = {}
    for mod in pkgutil.iter_modules(contracts.proto.__path__):
        if mod.name.endswith("_pb2"):
            pb2 = importlib.import_module(f"contracts.proto.{mod.name}")
            grpc_mod = importlib.import_module(f"contracts.proto.{mod.name}_grpc")
            for svc in pb2.DESCRIPTOR.services_by_name.values():
                found[svc.full_name] = (svc, grpc_mod)
    return found


def test_every_service_and_method_declares_who_may_call_it() -> None:
    for name, (descriptor, _) in proto_services().items():
        assert name in SERVICERS, f"{name} is missing from the authorisation matrix"
        access = SERVICERS[name][0].ACCESS
        for method in descriptor.methods:
            assert method.name in access, f"{name}/{method.name} declares no roles"
            assert access[method.name], f"{name}/{method.name} declares an empty role set"


@pytest.fixture
async def server(mongo, settings, tmp_path) -> AsyncIterator[tuple[str, auth.TokenIssuer]]:
    secrets = devsecrets.write(tmp_path)
    verifier = auth.TokenVerifier(auth.load_public((secrets / "jwt-public.pem").read_bytes()))
    issuer = auth.TokenIssuer(auth.load_private((secrets / "jwt-private.pem").read_bytes()))
    env = {"mongo": mongo, "settings": settings}
    services = []
    for name, (descriptor, grpc_mod) in proto_services().items():
        servicer = SERVICERS[name][1](env)
        add = getattr(grpc_mod, f"add_{descriptor.name}Servicer_to_server")
        services.append(grpcserver.Service(name, lambda s, add=add, servicer=servicer: add(servicer, s),
                                           servicer.ACCESS))
    stopping, port = asyncio.Event(), asyncio.get_running_loop().create_future()
    task = asyncio.create_task(grpcserver.serve("127.0.0.1:0", services, verifier, 0.1, stopping=stopping,
                                                bound=port.set_result))
    yield f"127.0.0.1:{await port}", issuer
    stopping.set()
    await task


def cases() -> list[tuple[str, str, Role, str, str]]:
    out = []
    for name, (descriptor, _) in proto_services().items():
        for method, role, tenant, partner in itertools.product(descriptor.methods, ROLES, (OWN, OTHER),
                                                               (OWN_PARTNER, OTHER_PARTNER)):
            out.append((name, method.name, role, tenant, partner))
    return out


def expected_denied(service: str, method: str, role: Role, tenant: str, partner: str, fields: set[str]) -> bool:
    if role not in {Role(r) for r in SERVICERS[service][0].ACCESS[method]}:
        return True
    if "tenant" in fields and role in auth.MUNICIPAL_ROLES and tenant != OWN:
        return True
    return "partner_id" in fields and role is Role.PARTNER and partner != OWN_PARTNER


async def test_authorisation_matrix(server) -> None:
    address, issuer = server
    services = proto_services()
    failures = []
    async with grpc.aio.insecure_channel(address) as channel:
        for service, method, role, tenant, partner in cases():
            descriptor = services[service][0].methods_by_name[method]
            request_cls = message_factory.GetMessageClass(descriptor.input_type)
            fields = {f.name for f in descriptor.input_type.fields}
            request = request_cls(**{k: v for k, v in (("tenant", tenant), ("partner_id", partner)) if k in fields})
            principal = auth.Principal(staff_id="s-matrix", role=role,
                                       municipality=OWN if role in auth.MUNICIPAL_ROLES else None,
                                       partner=OWN_PARTNER if role is Role.PARTNER else None)
            call = channel.unary_unary(f"/{service}/{method}", request_serializer=request_cls.SerializeToString,
                                       response_deserializer=lambda b: b)
            try:
                await call(request, metadata=(("authorization", f"Bearer {issuer.issue(principal)}"),), timeout=10)
                code = grpc.StatusCode.OK
            except grpc.aio.AioRpcError as exc:
                code = exc.code()
            denied = expected_denied(service, method, role, tenant, partner, fields)
            if (code in DENIED) != denied:
                failures.append(f"{method} as {role.value} tenant={tenant} partner={partner}: {code.name}")
            if not denied and code is grpc.StatusCode.UNAUTHENTICATED:
                failures.append(f"{method} as {role.value}: valid token refused")
    assert not failures, "\n".join(failures)
