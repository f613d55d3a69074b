"""Every id field of every rpc's request × an id of another municipality and an id of none, from the .proto files.

A world of real entities in two municipalities (OWN, the caller's, and OTHER) is built through the services' own
gRPC APIs on the real FerretDB (the servicers in process, the relays not running). For each rpc, each id field of its
request (string fields named `*_id`, nested messages and repeated ids included; a bare `id` names what the rpc's name
does, e.g. UpdateService → service) is filled with (a) an id of the same kind from OTHER and (b) an unknown id, every
other id field with a valid id of OWN, and the call must answer NOT_FOUND naming the field, with the same words for
(a) and (b), and write nothing: every document of every service's database the same (the event store's commits
included, so nothing new for the relays to publish to Kafka).

An id a request makes (`MADE`: OpenOffice's office_id, ReferToService's referral_id, …) follows the rule that ids
are per municipality: one that OTHER has must make a new thing in OWN, exactly as an unknown one does (never
ALREADY_EXISTS or NOT_FOUND), touching nothing of OTHER. `KINDS` maps each id field name to how one is made in a
municipality; a request with an `*_id` field it does not know fails `test_every_id_field_has_a_kind`, so a new rpc
or field is covered (or stops the suite) without editing this test. `tenant` and `partner_id` are scoped by the token
(the authorisation matrix), `command_id` has its own tests (per municipality: services/plumbing/tests/
eventstore_contract.py, services/intake/tests/unit/test_references.py).
"""
from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from bson import json_util
from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from contracts.envelope import Role
from services.catalogue.bootstrap import bootstrap as catalogue_app
from services.catalogue.entrypoints.grpc_api import CatalogueServicer
from services.insights.domain.views import all_views
from services.insights.entrypoints.grpc_api import InsightsServicer
from services.intake.bootstrap import KeySettings, bootstrap as intake_app
from services.intake.entrypoints.grpc_api import IntakeServicer
from services.plumbing import auth, devsecrets, grpcserver
from services.plumbing.projection.store import ProjectionStore
from services.referral.bootstrap import ReferralSettings, bootstrap as referral_app
from services.referral.entrypoints.grpc_api import ReferralServicer
from tests.security.test_authorisation_matrix import proto_services

pytestmark = pytest.mark.integration
OWN, OTHER = "kortrijk", "brugge"
DATABASES = ("intake", "catalogue", "referral", "insights")
SCOPED_BY_TOKEN = {"tenant", "partner_id"}
NOT_REFERENCES = {
    "command_id": "the caller's retry key, per municipality (its own tests)",
    "hsds_id": "the source system's record id, kept as given: not a reference to one of our records",
}
# (rpc, field) → the request makes this id (it is not looked up): ids are per municipality.
MADE = {("OpenOffice", "office_id"), ("AddBridgeWorker", "staff_id"), ("ReferToService", "referral_id"),
        ("RegisterOrganization", "organization_id"), ("RegisterService", "service_id"),
        ("RegisterLocation", "location_id"), ("LinkServiceAtLocation", "service_at_location_id")}
# What a bare `id` field names, by the rpc's name (the longest noun it contains).
BARE_ID_NOUNS = {"ServiceAtLocation": "service_at_location", "Organization": "organization", "Service": "service",
                 "Location": "location"}
ROLE_ORDER = (Role.FRONT_OFFICE, Role.CATALOGUE_ADMIN, Role.PARTNER, Role.POLICY, Role.ADMIN)

# Valid values of the other fields: by (rpc, field) first, then by field name; anything else stays empty.
VALUES: dict[str, Any] = {
    "channel": "walk-in", "themes": ["housing"], "client_languages": ["ar"], "language_used": "ar",
    "languages": ["nl"], "service": "woonloket", "minutes": 30, "theme": "housing", "reason_code": "no-service",
    "outcome": "withdrawn", "referral_sharing": True, "email": "iemand@example.org", "name": "Onthaal",
    "text": "Wachtlijst voor sociale woningen van vier jaar", "mode": "information", "description": "Bijgewerkt",
    "reason": "Aanbod stopt",
}
MESSAGE_VALUES: dict[str, dict[str, Any]] = {  # nested records by message name
    "Organization": {"name": "Woonwinkel"},
    "Service": {"name": "Woonloket", "status": "active", "themes": ["housing"], "languages": ["nl", "ar"]},
    "Location": {"name": "Stadskantoor", "location_type": "physical"},
}
RPC_VALUES: dict[tuple[str, str], Any] = {
    ("ClarifyQuestion", "themes"): ["work"], ("ChangeBridgeWorkerLanguages", "languages"): ["fr"],
    ("Reject", "reason"): "no-capacity", ("Hold", "reason"): "waiting-list", ("Fail", "reason"): "could-not-contact",
    ("Complete", "outcome"): "got-help", ("Cancel", "reason"): "no-longer-needed",
    ("AddClientNote", "text"): "Vraagt naar de huurpremie",
}


def fresh(prefix: str) -> str:
    """An id no municipality has (neutral: it names neither)."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


# ---- the world: entities made through the APIs, one of each kind per municipality --------------------------------

@dataclass
class World:
    call: Callable[..., Awaitable[Any]]  # call(rpc, role, request fields) as a principal of OWN (or `tenant`)
    learn: Callable[[], Awaitable[None]]  # intake's and the catalogue's events into the referral's reference data
    made: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, tenant) → id
    partner: dict[str, str] = field(default_factory=dict)  # tenant → its partner organisation

    async def id(self, kind: str, tenant: str) -> str:
        if (kind, tenant) not in self.made:
            self.made[(kind, tenant)] = await KINDS[kind](self, tenant)
        return self.made[(kind, tenant)]


async def _office(w: World, t: str) -> str:
    office_id = fresh("office-")
    await w.call("OpenOffice", Role.FRONT_OFFICE, t, office_id=office_id, name="Onthaal")
    return office_id


async def _staff(w: World, t: str) -> str:
    staff_id = fresh("s-")
    await w.call("AddBridgeWorker", Role.FRONT_OFFICE, t, office_id=await w.id("office", t), staff_id=staff_id,
                 languages=["nl"])
    return staff_id


async def _client(w: World, t: str) -> str:
    client_id = (await w.call("RegisterClient", Role.FRONT_OFFICE, t)).client_id
    await w.call("RecordConsent", Role.FRONT_OFFICE, t, client_id=client_id, referral_sharing=True)
    return client_id


async def _question(w: World, t: str) -> str:
    reply = await w.call("RegisterQuestion", Role.FRONT_OFFICE, t, office_id=await w.id("office", t),
                         client_id=await w.id("client", t), channel="walk-in", themes=["housing"],
                         client_languages=["ar"], language_used="ar")
    return reply.question_id


async def _organization(w: World, t: str) -> str:
    organization_id = fresh("org-")
    await w.call("RegisterOrganization", Role.CATALOGUE_ADMIN, t, organization_id=organization_id,
                 organization=MESSAGE_VALUES["Organization"])
    w.partner[t] = organization_id
    return organization_id


async def _service(w: World, t: str) -> str:
    service_id = fresh("svc-")
    await w.call("RegisterService", Role.CATALOGUE_ADMIN, t, service_id=service_id, service={
        **MESSAGE_VALUES["Service"], "organization_id": await w.id("organization", t)})
    return service_id


async def _location(w: World, t: str) -> str:
    location_id = fresh("loc-")
    await w.call("RegisterLocation", Role.CATALOGUE_ADMIN, t, location_id=location_id, location={
        **MESSAGE_VALUES["Location"], "organization_id": await w.id("organization", t)})
    return location_id


async def _link(w: World, t: str) -> str:
    link_id = fresh("sal-")
    await w.call("LinkServiceAtLocation", Role.CATALOGUE_ADMIN, t, service_id=await w.id("service", t),
                 location_id=await w.id("location", t), service_at_location_id=link_id)
    return link_id


async def _referral(w: World, t: str) -> str:
    question, service = await w.id("question", t), await w.id("service", t)
    await w.learn()
    referral_id = fresh("ref-")
    await w.call("ReferToService", Role.FRONT_OFFICE, t, referral_id=referral_id, question_id=question,
                 service_id=service, mode="information")
    return referral_id


# Id field name → how to make one in a municipality (the kind of a bare `id` comes from BARE_ID_NOUNS).
KINDS: dict[str, Callable[[World, str], Awaitable[str]]] = {
    "office": _office, "staff": _staff, "client": _client, "question": _question, "organization": _organization,
    "service": _service, "location": _location, "service_at_location": _link, "referral": _referral,
}


def kind_of(rpc: str, name: str) -> str | None:
    if name == "id":
        return next((kind for noun, kind in BARE_ID_NOUNS.items() if noun in rpc), None)
    stem = name.removesuffix("_id")
    return stem if name.endswith("_id") and stem in KINDS else None


# ---- the requests, from the descriptors -------------------------------------------------------------------------

@dataclass(frozen=True)
class IdField:
    path: tuple[str, ...]  # from the request down to the field, e.g. ("service", "organization_id")
    repeated: bool

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


def is_id(f: FieldDescriptor) -> bool:
    return f.type == FieldDescriptor.TYPE_STRING and (f.name == "id" or f.name.endswith("_id"))


def id_fields(message: Descriptor, prefix: tuple[str, ...] = ()) -> Iterator[IdField]:
    """Every id field of a request, nested messages included (not google.protobuf's: a Struct holds no ids)."""
    for f in message.fields:
        if is_id(f) and f.name not in SCOPED_BY_TOKEN:
            yield IdField((*prefix, f.name), f.is_repeated)
        elif f.type == FieldDescriptor.TYPE_MESSAGE and not f.message_type.full_name.startswith("google.protobuf."):
            yield from id_fields(f.message_type, (*prefix, f.name))


def rpcs() -> list[tuple[str, str, Any]]:
    """(service, rpc, method descriptor) for every rpc of every .proto service."""
    return [(name, m.name, m) for name, (svc, _) in sorted(proto_services().items()) for m in svc.methods]


def cases() -> list[tuple[str, str, IdField]]:
    return [(service, rpc, f) for service, rpc, method in rpcs() for f in id_fields(method.input_type)
            if f.name not in NOT_REFERENCES]


def test_every_id_field_has_a_kind() -> None:
    unknown = [f"{rpc}: {f.dotted}" for _, rpc, f in cases() if kind_of(rpc, f.name) is None]
    assert not unknown, ("id fields this test cannot make an id for (add a kind to KINDS, or say in NOT_REFERENCES "
                         f"why the field is no reference): {unknown}")


def test_the_walk_covers_every_service() -> None:
    covered = {service for service, _, _ in cases()}
    assert {"wegwijs.intake.v1.IntakeService", "wegwijs.referral.v1.ReferralService",
            "wegwijs.catalogue.v1.CatalogueService"} <= covered
    assert ("RegisterService", "service.organization_id") in {(r, f.dotted) for _, r, f in cases()}, "nested ids"


def role_for(service: str, rpc: str, servicers: dict[str, Any]) -> Role:
    allowed = {Role(r) for r in servicers[service].ACCESS[rpc]}
    return next(r for r in ROLE_ORDER if r in allowed)


def set_path(fields: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for step in path[:-1]:
        fields = fields.setdefault(step, {})
    fields[path[-1]] = value


async def request_fields(world: World, rpc: str, method: Any, under_test: IdField, value: str) -> dict[str, Any]:
    """The request as a dict: the field under test = `value`, every other id of OWN (a fresh one where the request
    makes it), the other fields valid."""
    fields: dict[str, Any] = {"command_id": uuid.uuid4().hex}
    for f in method.input_type.fields:
        if f.type == FieldDescriptor.TYPE_MESSAGE:
            if f.message_type.name in MESSAGE_VALUES:
                fields[f.name] = dict(MESSAGE_VALUES[f.message_type.name])
        elif (rpc, f.name) in RPC_VALUES or f.name in VALUES:
            fields[f.name] = RPC_VALUES.get((rpc, f.name), VALUES.get(f.name))
    if "command_id" not in method.input_type.fields_by_name:
        del fields["command_id"]
    if method.input_type.name == "UpdateRequest":
        fields["changes"] = {"description": "Bijgewerkt"}
    for f in id_fields(method.input_type):
        if f.name in NOT_REFERENCES or f == under_test:
            continue
        kind = kind_of(rpc, f.name)
        own = fresh(f"{kind}-") if (rpc, f.name) in MADE else await world.id(kind, OWN)  # type: ignore[arg-type]
        set_path(fields, f.path, [own] if f.repeated else own)
    set_path(fields, under_test.path, [value] if under_test.repeated else value)
    return fields


def message_of(method: Any, fields: dict[str, Any]) -> Any:
    return built(method.input_type, fields)


def built(descriptor: Descriptor, fields: dict[str, Any]) -> Any:
    """The protobuf message from a dict (nested dicts become messages, a dict for a Struct a Struct)."""
    msg = message_factory.GetMessageClass(descriptor)()
    for name, value in fields.items():
        f = descriptor.fields_by_name[name]
        if f.type == FieldDescriptor.TYPE_MESSAGE and f.message_type.full_name == "google.protobuf.Struct":
            getattr(msg, name).update(value)
        elif f.type == FieldDescriptor.TYPE_MESSAGE:
            getattr(msg, name).CopyFrom(built(f.message_type, value))
        elif f.is_repeated:
            getattr(msg, name).extend(value)
        else:
            setattr(msg, name, value)
    return msg


# ---- the system: four servicers on one in-process server, FerretDB behind them -------------------------------------

@dataclass
class System:
    world: World
    servicers: dict[str, Any]
    methods: dict[str, Any]
    invoke: Callable[..., Awaitable[Any]]  # invoke(service, rpc, role, request message)
    snapshot: Callable[[], Awaitable[dict[str, str]]]


@pytest.fixture
async def system(mongo, settings, tmp_path) -> AsyncIterator[System]:
    secrets = devsecrets.write(tmp_path)
    verifier = auth.TokenVerifier(auth.load_public((secrets / "jwt-public.pem").read_bytes()))
    issuer = auth.TokenIssuer(auth.load_private((secrets / "jwt-private.pem").read_bytes()))
    intake = await intake_app(settings, KeySettings(kek_keyring_file=secrets / devsecrets.KEYRING))
    catalogue = await catalogue_app(settings)
    referral = await referral_app(settings, ReferralSettings(
        partner_secret_file=secrets / devsecrets.PARTNER_SECRET))
    for background in referral.background:
        background.close()  # the relays and consumers do not run: what is written stays in the databases
    servicers = {
        "wegwijs.intake.v1.IntakeService": IntakeServicer(intake.deps),
        "wegwijs.catalogue.v1.CatalogueService": CatalogueServicer(catalogue.deps, catalogue.hsds_schema_dir),
        "wegwijs.referral.v1.ReferralService": ReferralServicer(referral.deps),
        "wegwijs.insights.v1.InsightsService": InsightsServicer(ProjectionStore(
            mongo, settings.database("insights"), packed=all_views().packed)),
    }
    services, methods = [], {}
    for name, (descriptor, grpc_mod) in proto_services().items():
        add = getattr(grpc_mod, f"add_{descriptor.name}Servicer_to_server")
        services.append(grpcserver.Service(name, lambda s, add=add, v=servicers[name]: add(v, s),
                                           servicers[name].ACCESS))
        methods |= {m.name: (name, m) for m in descriptor.methods}
    stopping, port = asyncio.Event(), asyncio.get_running_loop().create_future()
    task = asyncio.create_task(grpcserver.serve("127.0.0.1:0", services, verifier, 0.1, stopping=stopping,
                                                bound=port.set_result))
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{await port}")
    partner: dict[str, str] = {}

    async def invoke(service: str, rpc: str, role: Role, request: Any, tenant: str = OWN) -> Any:
        principal = auth.Principal(staff_id="s-references", role=role,
                                   municipality=tenant if role in auth.MUNICIPAL_ROLES else None,
                                   partner=partner.get(tenant) if role is Role.PARTNER else None)
        call = channel.unary_unary(f"/{service}/{rpc}", request_serializer=type(request).SerializeToString,
                                   response_deserializer=message_factory.GetMessageClass(
                                       methods[rpc][1].output_type).FromString)
        return await call(request, metadata=(("authorization", f"Bearer {issuer.issue(principal)}"),), timeout=15)

    async def call(rpc: str, role: Role, tenant: str, **fields: Any) -> Any:
        service, method = methods[rpc]
        if "command_id" in method.input_type.fields_by_name:
            fields.setdefault("command_id", uuid.uuid4().hex)
        return await invoke(service, rpc, role, message_of(method, fields), tenant)

    async def learn() -> None:
        for commit in [*await intake.deps.store.unpublished(100_000), *await catalogue.deps.store.unpublished(100_000)]:
            for envelope in commit.events:
                await referral.deps.reference.learn(envelope)

    async def snapshot() -> dict[str, str]:
        docs = {}
        for db in DATABASES:
            database = mongo[settings.database(db)]
            for collection in sorted(await database.list_collection_names()):
                async for doc in database[collection].find({}):
                    docs[f"{db}.{collection}/{doc['_id']}"] = json_util.dumps(doc, sort_keys=True)
        docs["unpublished"] = json.dumps([len(await app.deps.store.unpublished(100_000))
                                          for app in (intake, catalogue, referral)])
        return docs

    world = World(call, learn, partner=partner)
    yield System(world, servicers, methods, invoke, snapshot)
    await channel.close()
    stopping.set()
    await task
    for app in (intake, catalogue, referral):
        await app.mongo.close()


# ---- the cases --------------------------------------------------------------------------------------------------

async def attempt(s: System, service: str, rpc: str, f: IdField, value: str) -> tuple[grpc.StatusCode, str]:
    method, role = s.methods[rpc][1], role_for(service, rpc, s.servicers)
    fields = await request_fields(s.world, rpc, method, f, value)
    scoped = {"tenant": OWN, "partner_id": s.world.partner[OWN] if role in {Role.PARTNER, Role.ADMIN} else ""}
    fields |= {k: v for k, v in scoped.items() if k in method.input_type.fields_by_name and v}
    try:
        await s.invoke(service, rpc, role, message_of(method, fields))
        return grpc.StatusCode.OK, ""
    except grpc.aio.AioRpcError as exc:
        return exc.code(), exc.details() or ""


def names_the_field(details: str, f: IdField) -> bool:
    return details.startswith((f"{f.name}:", f"{f.dotted}:")) or f"{f.dotted}:" in details


async def test_no_id_of_another_municipality_nor_an_unknown_one_is_accepted(system: System) -> None:
    s, failures = system, []
    for kind in KINDS:
        for tenant in (OWN, OTHER):
            await s.world.id(kind, tenant)
    referring = [c for c in cases() if (c[1], c[2].name) not in MADE]
    before = await s.snapshot()
    for service, rpc, f in referring:
        kind = kind_of(rpc, f.name)
        if kind is None:
            failures.append(f"{rpc} {f.dotted}: no kind")
            continue
        answers = []
        for label, value in (("another municipality's", await s.world.id(kind, OTHER)), ("unknown", fresh(f"{kind}-"))):
            code, details = await attempt(s, service, rpc, f, value)
            after = await s.snapshot()
            if code is not grpc.StatusCode.NOT_FOUND or not names_the_field(details, f):
                failures.append(f"{rpc} {f.dotted} = {label} id: {code.name} {details!r}")
            if after != before:
                changed = sorted(k for k in after.keys() | before.keys() if after.get(k) != before.get(k))
                failures.append(f"{rpc} {f.dotted} = {label} id: wrote {changed[:4]}")
            answers.append(details.replace(repr(value), "'…'").replace(value, "…"))
            before = after
        if answers[0] != answers[1]:
            failures.append(f"{rpc} {f.dotted}: another municipality's id and an unknown one are told apart: "
                            f"{answers[0]!r} vs {answers[1]!r}")
    assert not failures, f"{len(failures)} failures in {2 * len(referring)} cases:\n" + "\n".join(failures)


def of_other(snapshot: dict[str, str]) -> dict[str, str]:
    """The documents of OTHER: those naming it as a whole JSON string (`"tenant": "brugge"`, in envelopes too)."""
    return {k: v for k, v in snapshot.items() if f'"{OTHER}"' in v}


async def test_an_id_a_request_makes_is_the_municipalitys_own(system: System) -> None:
    s, failures = system, []
    for kind in KINDS:
        for tenant in (OWN, OTHER):
            await s.world.id(kind, tenant)
    made = [c for c in cases() if (c[1], c[2].name) in MADE]
    assert made, "no request makes an id: MADE names none of the rpcs"
    for service, rpc, f in made:
        kind = kind_of(rpc, f.name)
        for label, value in (("another municipality's", await s.world.id(kind, OTHER)),  # type: ignore[arg-type]
                             ("unknown", fresh(f"{kind}-"))):
            theirs = of_other(await s.snapshot())
            code, details = await attempt(s, service, rpc, f, value)
            if code is not grpc.StatusCode.OK:
                failures.append(f"{rpc} {f.dotted} = {label} id: {code.name} {details!r} (ids are per municipality)")
            if of_other(await s.snapshot()) != theirs:
                failures.append(f"{rpc} {f.dotted} = {label} id: changed what {OTHER} has")
    assert not failures, f"{len(failures)} failures in {2 * len(made)} cases:\n" + "\n".join(failures)
