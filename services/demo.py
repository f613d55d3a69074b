"""The demo of `make demo`: a day of bridge work in Kortrijk and Brugge, through the real gRPC APIs, then the insight.

Synthetic data only: the catalogue of the fictional city Leiebrugge (deploy/demo/catalogue), made-up offices,
pseudonyms and questions.
"""
from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
from rich.console import Console

from contracts.envelope import Role
from contracts.proto import (
    catalogue_pb2, catalogue_pb2_grpc, insights_pb2, intake_pb2, intake_pb2_grpc, referral_pb2, referral_pb2_grpc)
from services.client import Client

CATALOGUE = Path(__file__).resolve().parents[1] / "deploy" / "demo" / "catalogue"
OFFICES = {"kortrijk": "huis-van-de-kortrijkzaan", "brugge": "huis-van-de-bruggeling"}
THEMES = ["housing.search", "letters.explain-letter", "work.job-search", "education.school-registration",
          "dutch-integration.dutch-classes", "health.health-insurance", "residence-papers.residence-permit",
          "income.ocmw-support", "leisure"]
LANGUAGES = ["ar", "ti", "prs", "ru", "ce", "uk", "so", "ps", "fr"]
CHANNELS = ["walk-in", "whatsapp", "outreach", "appointment", "phone", "arrival-intake"]
GAP_REASONS = ["no-capacity", "language", "not-eligible", "no-service"]
WORKERS = {"kortrijk": [["nl", "ar", "fr"], ["nl", "ru", "uk"], ["nl", "prs", "ps"]], "brugge": [["nl", "ti", "en"]]}
Mint = Callable[..., str]


def questions(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng, now = random.Random(seed), datetime.now(UTC)
    out = []
    for i in range(count):
        tenant, language = ("kortrijk" if i % 4 else "brugge"), rng.choice(LANGUAGES)
        out.append(dict(tenant=tenant, office_id=OFFICES[tenant], channel=rng.choice(CHANNELS),
                        themes=rng.sample(THEMES, 2), client_languages=[language, "fr"] if i % 3 == 0 else [language],
                        language_used=language if i % 2 else "fr", interpreter_needed=i % 5 == 0,
                        occurred_at=(now - timedelta(days=rng.randint(0, 75))).isoformat()))
    return out


async def retrying(call: Callable[[], Awaitable[Any]], seconds: float = 30) -> Any:
    """Retry while another service has not yet read the events this call depends on (eventual consistency)."""
    for _ in range(int(seconds / 0.25)):
        try:
            return await call()
        except grpc.aio.AioRpcError as exc:
            if exc.code() not in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND):
                raise
            await asyncio.sleep(0.25)
    return await call()


class Demo:
    def __init__(self, client: Client, channels: dict[str, grpc.aio.Channel], mint: Mint, console: Console) -> None:
        self.client, self.mint, self.out = client, mint, console
        self.catalogue = catalogue_pb2_grpc.CatalogueServiceStub(channels["catalogue"])
        self.referral = referral_pb2_grpc.ReferralServiceStub(channels["referral"])
        self.intake = intake_pb2_grpc.IntakeServiceStub(channels["intake"])

    def auth(self, role: Role, municipality: str | None = None, partner: str | None = None) -> Any:
        return (("authorization", f"Bearer {self.mint(role, municipality, partner, staff_id=f'demo-{role.value}')}"),)

    async def import_catalogue(self, tenants: tuple[str, ...] = ("kortrijk", "brugge")) -> None:
        """The Leiebrugge catalogue in each municipality (catalogues are per municipality), side by side."""
        async def one(tenant: str) -> None:
            admin = self.auth(Role.CATALOGUE_ADMIN, tenant)
            for name in ("organizations", "services"):
                reply = await self.catalogue.ImportHsds(catalogue_pb2.ImportHsdsRequest(
                    command_id=uuid.uuid4().hex, document=(CATALOGUE / f"{name}.json").read_text()), metadata=admin,
                    timeout=600)
                self.out.print(f"catalogue {tenant} {name}: {reply.created} created, {reply.updated} updated, "
                               f"{reply.unchanged} unchanged, {reply.rejected} rejected")
        await asyncio.gather(*(one(t) for t in tenants))

    async def search(self) -> Any:
        """The bridge worker's question: Arabic-speaking housing help, open on Tuesday morning, free of charge."""
        reply = await self.catalogue.SearchServices(catalogue_pb2.SearchServicesRequest(
            theme="housing", language="ar", weekday="TU", time_from="09:00", time_to="12:00", free_only=True,
            page_size=3), metadata=self.auth(Role.FRONT_OFFICE, "kortrijk"), timeout=10)
        self.out.print("\n[bold]Search[/bold]: Arabic-speaking housing help, Tuesday morning, free →")
        for hit in reply.hits:
            self.out.print(f"  {hit.service.service.name}  ({', '.join(hit.reasons)})")
        return reply.hits[0].service if reply.hits else None

    async def staff(self) -> None:
        """Open both offices and add their bridge workers with the languages they speak (fixed command ids: a second
        demo gets the first answers back and changes nothing)."""
        for tenant, office in OFFICES.items():
            admin = self.auth(Role.ADMIN, tenant)
            await self.intake.OpenOffice(intake_pb2.OpenOfficeRequest(
                command_id=f"demo-open-{office}", tenant=tenant, office_id=office, name=office.replace("-", " ").title()),
                metadata=admin, timeout=10)
            for n, languages in enumerate(WORKERS[tenant]):
                await self.intake.AddBridgeWorker(intake_pb2.BridgeWorkerRequest(
                    command_id=f"demo-worker-{office}-{n}", tenant=tenant, office_id=office,
                    staff_id=f"demo-worker-{tenant}-{n}", languages=languages), metadata=admin, timeout=10)
            self.out.print(f"office {office}: {len(WORKERS[tenant])} bridge workers "
                           f"({', '.join(sorted({lang for ls in WORKERS[tenant] for lang in ls}))})")

    async def register(self, count: int) -> None:
        """Register the day's questions; the bridge worker goes along with every third client, and for every fourth
        question finds no service that answers its main theme (a gap, with its reason code), and closes it so."""
        for i, q in enumerate(questions(count)):
            worker = self.client.as_(self.mint(Role.FRONT_OFFICE, q["tenant"], staff_id=f"demo-{q['tenant']}"))
            reply = await worker.register_question(**q)
            done = []
            if i % 3 == 0:
                await worker.intake_call("AccompanyClient", question_id=reply.question_id, service="ocmw-onthaal",
                                         minutes=30 + 15 * (i % 5))
                done.append("went along")
            if i % 4 == 1:
                reason = GAP_REASONS[i // 4 % len(GAP_REASONS)]
                await worker.intake_call("RecordGap", question_id=reply.question_id, theme=q["themes"][0],
                                         reason_code=reason)
                await worker.intake_call("CloseQuestion", question_id=reply.question_id, outcome="gap")
                done.append(f"gap: {reason}")
            self.out.print(f"registered {reply.question_id} ({q['tenant']}, {', '.join(q['themes'])}, {q['channel']})"
                           + (f"; {', '.join(done)}" if done else ""))

    async def follow_up(self, tenant: str) -> str:
        """What the day asked of the bridge workers and where the offer fell short, as InsightsService answers it."""
        policy = self.client.as_(self.mint(Role.POLICY, tenant, staff_id=f"policy-{tenant}"))
        work, needs = await policy.insights_call("WorkloadByChannel"), await policy.unmet_needs(period="year")
        k = work.threshold

        def shown(c: Any, unit: str = "") -> str:
            return (f"<{k}" if not unit else "hidden") if c.suppressed else f"{c.value}{unit}"

        periods: dict[str, list[str]] = {}
        for r in needs.gap_reasons:
            if r.theme == "*":
                periods.setdefault(r.period, []).append(f"{r.reason} {shown(r.gaps)}")
        reasons = "; ".join(f"{period}: {', '.join(rs)}" for period, rs in sorted(periods.items()))
        return (f"{tenant}: went along {shown(work.accompaniments)} times "
                f"({shown(work.minutes_accompanying, ' min')}); gaps in the offer {shown(needs.total.gaps)}"
                + (f" — why: {reasons}" if reasons else ""))

    async def refer(self, service: Any) -> None:
        """A newcomer with a housing question, consent to share, referred warm; the partner accepts and completes."""
        worker = self.auth(Role.FRONT_OFFICE, "kortrijk")
        client = await self.intake.RegisterClient(intake_pb2.RegisterClientRequest(command_id=uuid.uuid4().hex),
                                                  metadata=worker, timeout=10)
        await self.intake.RecordConsent(intake_pb2.RecordConsentRequest(
            command_id=uuid.uuid4().hex, client_id=client.client_id, referral_sharing=True), metadata=worker)
        question = await self.client.as_(self.mint(Role.FRONT_OFFICE, "kortrijk")).register_question(
            client_id=client.client_id, office_id=OFFICES["kortrijk"], channel="whatsapp", themes=["housing.search"],
            client_languages=["ar"], language_used="ar")
        referral = await retrying(lambda: self.referral.ReferToService(referral_pb2.ReferToServiceRequest(
            command_id=f"demo-refer-{question.question_id}", question_id=question.question_id, service_id=service.id,
            mode="warm-handoff"), metadata=worker, timeout=10))
        partner_id = service.service.organization_id
        partner = self.auth(Role.PARTNER, partner=partner_id)
        for rpc, extra in (("Accept", {}), ("Start", {}), ("Complete", {"outcome": "got-help", "went_alone": True})):
            reply = await getattr(self.referral, rpc)(referral_pb2.PartnerRequest(
                command_id=uuid.uuid4().hex, partner_id=partner_id, referral_id=referral.referral_id, **extra),
                metadata=partner, timeout=10)
        self.out.print(f"\nreferral {referral.referral_id} of {question.question_id} to '{service.service.name}': "
                       f"{reply.status} (the partner accepted, started and completed it; the client went alone)")

    async def insight(self, tenant: str) -> insights_pb2.QuestionsPerThemeResponse:
        return await self.client.as_(self.mint(Role.POLICY, tenant, staff_id=f"policy-{tenant}")).questions_per_theme()
