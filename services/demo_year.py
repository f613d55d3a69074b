"""The demo's city-year: a synthetic year of bridge work in Kortrijk and Brugge, sent through the real command handlers
over gRPC, so that every policy view of the dashboard and the report shows counts above the suppression threshold.

The plan (`plan`) is pure and seeded: questions dated across the past year (RegisterQuestion's `occurred_at`), one in
three from a returning client, with clarifications, information, accompaniments, gaps with their reason codes,
referrals the partners accept, reject, fail or complete (the client going alone or not) and signals to policy. Every
command has a fixed command id, so a second demo gets the first answers back and changes nothing. `load` sends it
with bounded concurrency (an asyncio.Semaphore) in one stream of work, no phase waiting for the last of the one
before: each question's own commands in order, the questions side by side, a returning client's question once the
client's first question has their pseudonym, a referral once its question is registered (and the referral service
has learnt it).
Synthetic data only: pseudonyms made by intake, no names, no contact details (signal texts name the offer only).
"""
from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import grpc

from contracts.envelope import Role
from services.client import Client
from services.demo import retrying

SIZE = {"kortrijk": 2000, "brugge": 1100}  # questions per municipality over the year
OFFICES = {"kortrijk": ("huis-van-de-kortrijkzaan", "buurtpunt-overleie"), "brugge": ("huis-van-de-bruggeling",)}
EXTRA_OFFICE_WORKERS = {"buurtpunt-overleie": [["nl", "tr", "en"], ["nl", "so", "ar"]]}
# Themes as bridge workers code them (weights: how often), mostly sub-themes, so both levels show counts.
THEMES = {"residence-papers.residence-permit": 9, "residence-papers.family-reunification": 4, "housing.search": 12,
          "housing.social-rental": 6, "housing.tenancy-problems": 4, "work.job-search": 9,
          "work.diploma-recognition": 4, "income.ocmw-support": 8, "income.child-benefit": 4,
          "health.health-insurance": 6, "health.find-gp": 4, "education.school-registration": 6,
          "dutch-integration.dutch-classes": 9, "letters.explain-letter": 10, "letters.fill-in-forms": 5,
          "finances.debts": 5, "digital.digital-identity": 4, "childcare-family.childcare": 4, "leisure.uitpas": 3,
          "mobility.public-transport": 2}
LANGUAGES = {"ar": 10, "ti": 6, "prs": 5, "uk": 6, "ru": 4, "so": 4, "ps": 3, "tr": 3, "fr": 3, "en": 3, "ro": 2,
             "am": 2, "ku": 2}
CHANNELS = {"walk-in": 10, "whatsapp": 8, "appointment": 6, "outreach": 4, "phone": 4, "arrival-intake": 3,
            "partner-referral": 2, "email": 1}
BARRIERS = {"language": 8, "digital": 6, "administrative-complexity": 5, "cost": 4, "waiting-list": 4,
            "unknown-offer": 3, "opening-hours": 2, "distance": 2, "childcare": 2}
GAP_REASONS = {"no-capacity": 5, "language": 4, "not-eligible": 3, "no-service": 3, "cost": 2, "digital-only": 2}
REJECT_REASONS = {"no-capacity": 3, "not-eligible": 2, "language": 1}
FAIL_REASONS = {"client-did-not-show": 3, "could-not-contact": 2, "barrier-language": 2, "waiting-list-too-long": 1}
SIGNAL_TEXTS = (
    "Wachtlijst van meer dan drie maanden voor een sociale woning, nieuwkomers haken af.",
    "Het aanvraagformulier bestaat enkel online en in het Nederlands.",
    "Geen tolk beschikbaar bij de eerste afspraak, het gesprek werd uitgesteld.",
    "De loketten sluiten op woensdag al om twaalf uur, werkende nieuwkomers geraken er niet.",
    "Inschrijving voor Nederlandse les vraagt een itsme-account dat veel nieuwkomers niet hebben.",
    "De dienst vraagt een bijdrage die gezinnen met een leefloon niet kunnen betalen.",
)
SIGNALS = {"kortrijk": 48, "brugge": 30}
CONCURRENCY = 16
SEARCHES = 2  # catalogue searches at a time before the year
TRANSIENT = (grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.UNAVAILABLE)
COMMAND_SECONDS = 60  # a busy machine's database answers slowly; a retry after a deadline costs more than waiting
Mint = Callable[..., str]


def _pick(rng: random.Random, weights: dict[str, int], k: int = 1) -> list[str]:
    """k different codes, drawn by weight."""
    codes, out = list(weights), []
    while len(out) < k:
        code = rng.choices(codes, [weights[c] for c in codes])[0]
        if code not in out:
            out.append(code)
    return out


@dataclass
class Planned:
    """One question and what the bridge worker (and later a partner) does with it."""

    key: str               # fixed part of every command id of this question
    tenant: str
    office: str
    client: int            # index of the client in the municipality (returning clients share it)
    register: dict[str, Any]
    clarify: list[str] = field(default_factory=list)  # the themes after a clarification
    inform: bool = False
    accompany: int = 0     # minutes going along; 0 = not
    gap: str = ""          # reason code of a gap for the main theme
    refer: str = ""        # what the partner does: requested, accepted, rejected, failed, completed, alone
    close: str = ""        # outcome; "" = stays open


@dataclass
class Plan:
    questions: list[Planned]
    signals: list[dict[str, Any]]

    def of(self, tenant: str) -> list[Planned]:
        return [q for q in self.questions if q.tenant == tenant]


def _refer_outcome(rng: random.Random) -> str:
    return rng.choices(["requested", "accepted", "rejected", "failed", "completed", "alone"], [1, 1, 2, 2, 3, 3])[0]


def _question(rng: random.Random, seed: int, tenant: str, n: int, client: int, when: datetime) -> Planned:
    themes = _pick(rng, THEMES, rng.choice((1, 1, 2)))
    languages = _pick(rng, LANGUAGES, rng.choice((1, 1, 1, 2)))
    office = OFFICES[tenant][0 if len(OFFICES[tenant]) == 1 or rng.random() < 0.65 else 1]
    register = dict(office_id=office, channel=_pick(rng, CHANNELS)[0], themes=themes, client_languages=languages,
                    language_used=languages[0] if rng.random() < 0.4 else "nl",
                    interpreter_needed=rng.random() < 0.25, urgent=rng.random() < 0.08,
                    barriers=_pick(rng, BARRIERS, rng.choice((1, 2))) if rng.random() < 0.45 else [],
                    occurred_at=when.isoformat())
    q = Planned(f"demo-year-{seed}-{tenant}-{n}", tenant, office, client, register)
    roll = rng.random()
    if rng.random() < 0.15:
        q.clarify = [*themes, next(t for t in rng.sample(list(THEMES), 3) if t not in themes)]
    q.inform = rng.random() < 0.35
    q.accompany = rng.choice((30, 45, 60, 90, 120)) if rng.random() < 0.2 else 0
    if roll < 0.13:
        q.gap, q.close = _pick(rng, GAP_REASONS)[0], "gap"
    elif roll < 0.30:
        q.refer, q.close = _refer_outcome(rng), "referred"
    elif roll < 0.70:
        q.close, q.inform = "answered", q.inform or not q.accompany  # answered needs informed or accompanied
    elif roll < 0.74:
        q.close = "unreachable"
    return q


def plan(now: datetime, seed: int = 1) -> Plan:
    """The whole year, the same for the same `now` day and seed: dates spread over the 365 days before `now` (a few
    today, for the front office's list), a third of the questions from clients seen before."""
    rng = random.Random(seed)
    out: list[Planned] = []
    for tenant, size in SIZE.items():
        clients = 0
        for n in range(size):
            returning = clients > 20 and rng.random() < 0.33
            client = rng.randrange(clients) if returning else clients
            clients += not returning
            today = n % 100 == 0
            when = (now - timedelta(minutes=rng.randint(5, 240))) if today else \
                (now - timedelta(days=rng.randint(1, 364), minutes=rng.randint(0, 600)))
            out.append(_question(rng, seed, tenant, n, client, when))
    signals = []
    for tenant, count in SIGNALS.items():
        for n in range(count):
            signals.append(dict(key=f"demo-year-{seed}-signal-{tenant}-{n}", tenant=tenant,
                                office_id=rng.choice(OFFICES[tenant]), themes=_pick(rng, THEMES),
                                barriers=_pick(rng, BARRIERS), text=rng.choice(SIGNAL_TEXTS)))
    return Plan(out, signals)


class Year:
    """Sends a Plan through the gRPC APIs as the bridge workers, partners and admins of each municipality."""

    def __init__(self, client: Client, mint: Mint, concurrency: int = CONCURRENCY,
                 say: Callable[[str], None] = lambda _: None) -> None:
        self.client, self.mint, self.say = client, mint, say
        self.gate = asyncio.Semaphore(concurrency)
        self.counts: dict[str, int] = {}
        self.client_ids: dict[tuple[str, int], str] = {}
        self.registered: dict[str, asyncio.Event] = {}  # question key → set once it is registered
        self.tokens: dict[tuple[Role, str | None, str | None, str], str] = {}
        self.services: dict[str, dict[str, Any]] = {}  # tenant → top-level theme → [(service id, organisation id)]

    def as_(self, role: Role, tenant: str | None = None, partner: str | None = None, staff: str = "") -> Client:
        """A client with the token of that person, signed once per person (thousands of calls share it)."""
        key = (role, tenant, partner, staff or f"demo-{role.value}")
        if key not in self.tokens:
            self.tokens[key] = self.mint(role, tenant, partner, staff_id=key[3])
        return self.client.as_(self.tokens[key])

    async def _each(self, items: Iterable[tuple[Awaitable[None] | None, Callable[[], Awaitable[None]]]]) -> None:
        """Every job once what it waits for is done, at most `concurrency` at a time; a job waits outside the gate,
        so a waiting job never holds a place the job it waits for needs."""
        async def gated(after: Awaitable[None] | None, job: Callable[[], Awaitable[None]]) -> None:
            if after is not None:
                await after
            async with self.gate:
                await job()
        await asyncio.gather(*(gated(after, job) for after, job in items))

    async def _do(self, call: Callable[..., Awaitable[Any]], rpc: str, **fields: Any) -> Any:
        """One command, sent again with the same command id while the service is too busy to answer in time (a
        retried command gets the first answer and writes nothing twice)."""
        for attempt in range(6):
            try:
                return await call(rpc, timeout=COMMAND_SECONDS, **fields)
            except grpc.aio.AioRpcError as exc:
                if exc.code() not in TRANSIENT or attempt == 5:
                    raise
                await asyncio.sleep(0.5 * 2 ** attempt)
        raise AssertionError("unreachable")

    def _count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    async def offices(self) -> None:
        """The second Kortrijk office and its bridge workers (the first ones are opened by the demo's day)."""
        admin = self.as_(Role.ADMIN, "kortrijk")
        for office, workers in EXTRA_OFFICE_WORKERS.items():
            await self._do(admin.intake_call, "OpenOffice", command_id=f"demo-open-{office}", tenant="kortrijk",
                           office_id=office, name="Buurtpunt Overleie")
            for n, languages in enumerate(workers):
                await self._do(admin.intake_call, "AddBridgeWorker",
                               command_id=f"demo-worker-{office}-{n}", tenant="kortrijk",
                               office_id=office, staff_id=f"demo-worker-{office}-{n}", languages=languages)

    async def find_services(self) -> None:
        """Per municipality and top-level theme, the first two active services the catalogue finds, SEARCHES at a
        time: a search reads much of the catalogue, and two dozen at once each outlasted its deadline on a busy
        machine (each retry starting over while the abandoned ones still ran)."""
        tops = sorted({t.split(".")[0] for t in THEMES})
        gate = asyncio.Semaphore(SEARCHES)

        async def one(tenant: str, top: str) -> tuple[str, str, list[tuple[str, str]]]:
            async with gate:
                reply = await self._do(self.as_(Role.FRONT_OFFICE, tenant).catalogue_call, "SearchServices",
                                       theme=top, page_size=2)
            return tenant, top, [(h.service.id, h.service.service.organization_id) for h in reply.hits
                                 if h.service.service.organization_id]
        for tenant, top, found in await asyncio.gather(*(one(t, top) for t in SIZE for top in tops)):
            self.services.setdefault(tenant, {})[top] = found

    async def _register(self, q: Planned) -> None:
        worker = self.as_(Role.FRONT_OFFICE, q.tenant, staff=f"demo-worker-{q.tenant}")
        client_id = self.client_ids.get((q.tenant, q.client), "")
        reply = await self._do(worker.intake_call, "RegisterQuestion",
                               command_id=f"{q.key}-register", client_id=client_id,
                               **q.register)
        self.client_ids.setdefault((q.tenant, q.client), reply.client_id)
        q.register["question_id"] = reply.question_id
        self._event(q.key).set()
        self._count("questions")
        qid = reply.question_id
        if q.clarify:
            await self._do(worker.intake_call, "ClarifyQuestion", command_id=f"{q.key}-clarify", question_id=qid,
                           themes=q.clarify, barriers=q.register["barriers"])
            self._count("clarifications")
        if q.inform:
            await self._do(worker.intake_call, "InformClient", command_id=f"{q.key}-inform", question_id=qid)
        if q.accompany:
            await self._do(worker.intake_call, "AccompanyClient", command_id=f"{q.key}-accompany", question_id=qid,
                           service="ocmw-onthaal", minutes=q.accompany)
            self._count("accompaniments")
        if q.gap:
            await self._do(worker.intake_call, "RecordGap", command_id=f"{q.key}-gap", question_id=qid,
                           theme=(q.clarify or q.register["themes"])[0], reason_code=q.gap)
            self._count("gaps")
        if q.refer:
            await self._do(worker.intake_call, "RecordConsent",
                           command_id=f"{q.key}-consent", client_id=reply.client_id,
                           referral_sharing=True)
        elif q.close:
            await self._do(worker.intake_call, "CloseQuestion",
                           command_id=f"{q.key}-close", question_id=qid, outcome=q.close)

    async def _refer(self, q: Planned) -> None:
        themes = q.clarify or q.register["themes"]
        choices = self.services[q.tenant].get(themes[0].split(".")[0]) or []
        worker = self.as_(Role.FRONT_OFFICE, q.tenant, staff=f"demo-worker-{q.tenant}")
        qid = q.register["question_id"]
        if not choices:
            await self._do(worker.intake_call, "InformClient", command_id=f"{q.key}-inform", question_id=qid)
            await self._do(worker.intake_call, "CloseQuestion",
                           command_id=f"{q.key}-close", question_id=qid, outcome="answered")
            return
        service, partner = choices[1 if len(choices) > 1 and int(q.key.rsplit("-", 1)[1]) % 3 == 0 else 0]
        mode = "accompanied" if q.accompany else ("warm-handoff" if q.client % 2 else "information")
        referral = await retrying(lambda: self._do(
            worker.referral_call, "ReferToService", command_id=f"{q.key}-refer", question_id=qid, service_id=service,
            mode=mode), 60)
        self._count("referrals")
        org = self.as_(Role.PARTNER, partner=partner, staff=f"demo-partner-{q.tenant}")
        steps = {"requested": [], "accepted": [("Accept", {})],
                 "rejected": [("Reject", {"reason": _pick(random.Random(q.key), REJECT_REASONS)[0]})],
                 "failed": [("Accept", {}), ("Fail", {"reason": _pick(random.Random(q.key), FAIL_REASONS)[0]})],
                 "completed": [("Accept", {}), ("Start", {}), ("Complete", {"outcome": "got-help"})],
                 "alone": [("Accept", {}), ("Start", {}), ("Complete", {"outcome": "got-help", "went_alone": True})]}
        for n, (rpc, extra) in enumerate(steps[q.refer]):
            await self._do(org.referral_call, rpc,
                           command_id=f"{q.key}-partner-{n}", partner_id=partner, tenant=q.tenant,
                           referral_id=referral.referral_id, **extra)
        self._count(f"referrals {q.refer}")
        await self._do(worker.intake_call, "CloseQuestion",
                       command_id=f"{q.key}-close", question_id=qid, outcome="referred")

    async def _signal(self, s: dict[str, Any]) -> None:
        worker = self.as_(Role.FRONT_OFFICE, s["tenant"], staff=f"demo-worker-{s['tenant']}")
        found = self.services[s["tenant"]].get(s["themes"][0].split(".")[0]) or []
        await self._do(worker.intake_call, "ReportSignal",
                       command_id=s["key"], office_id=s["office_id"], themes=s["themes"],
                       barriers=s["barriers"], services=[found[0][0]] if found else [], text=s["text"])
        self._count("signals")

    def _event(self, key: str) -> asyncio.Event:
        return self.registered.setdefault(key, asyncio.Event())

    def _jobs(self, year: Plan) -> list[tuple[Awaitable[None] | None, Callable[[], Awaitable[None]]]]:
        """In the order they get a place: the questions as planned (a returning client's after the client's first),
        the signals, the referrals (each after its question; by then the referral service has mostly learnt it from
        Kafka, and `retrying` waits for the rest)."""
        first: dict[tuple[str, int], Planned] = {}
        jobs: list[tuple[Awaitable[None] | None, Callable[[], Awaitable[None]]]] = []
        for q in year.questions:
            before = first.setdefault((q.tenant, q.client), q)
            jobs.append((None if before is q else self._event(before.key).wait(), partial(self._register, q)))
        jobs += [(None, partial(self._signal, s)) for s in year.signals]
        jobs += [(self._event(q.key).wait(), partial(self._refer, q)) for q in year.questions if q.refer]
        return jobs

    async def load(self, year: Plan) -> dict[str, int]:
        """The year, sent (see the module's doc); it says how long the offices, the searches and the year took."""
        started = time.perf_counter()

        def step(what: str) -> None:
            self.say(f"  {time.perf_counter() - started:5.0f} s  {what}")
        await self.offices()
        await self.find_services()
        step("offices and the services to refer to")
        await self._each(self._jobs(year))
        visits = Counter((q.tenant, q.client) for q in year.questions)
        step(f"{len(year.questions)} questions ({len(year.questions) - len(visits)} of returning clients), "
             f"{len(year.signals)} signals, {sum(1 for q in year.questions if q.refer)} referrals and what the "
             "partners did with them")
        self.counts["returning clients"] = sum(n > 1 for n in visits.values())
        return self.counts


def sign_in(partner: str) -> str:
    """What to open after the demo, and how to sign in as each role on the development sign-in page."""
    url = f"http://127.0.0.1:{os.environ.get('WEGWIJS_WEB_PORT', '7060')}"
    return "\n".join((
        f"\n[bold]Wegwijs in the browser[/bold]: {url}  (sign in on {url}/dev/signin: pick a role and a municipality)",
        f"  front office    role front-office, municipality Kortrijk, office {OFFICES['kortrijk'][0]}",
        f"  partner         role partner, partner {partner} (an organisation the demo referred to)",
        "  policy          role policy, municipality Kortrijk or Brugge: the dashboard of the year",
        "  catalogue admin role catalogue-admin, municipality Kortrijk: search, import, export"))


def now() -> datetime:
    """The plan's clock: the start of the current hour, so a second demo within the hour plans the same year."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
