"""The demo's synthetic year as planned (pure): large enough that every policy view shows counts above the
threshold, dated within what RegisterQuestion accepts, every step one the domain allows, nothing personal."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from contracts import taxonomy
from services import demo_year
from services.plumbing import screening

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def test_a_year_of_two_municipalities_with_every_kind_of_work() -> None:
    year = demo_year.plan(NOW)
    assert len(year.questions) >= 3000 and {q.tenant for q in year.questions} == {"kortrijk", "brugge"}
    assert Counter(q.refer for q in year.questions if q.refer).keys() == {
        "requested", "accepted", "rejected", "failed", "completed", "alone"}
    assert all(n >= 30 for n in Counter(q.refer for q in year.questions if q.refer).values())
    assert sum(bool(q.clarify) for q in year.questions) >= 300
    assert sum(bool(q.accompany) for q in year.questions) >= 300
    assert len({q.gap for q in year.questions if q.gap}) >= 4 and sum(bool(q.gap) for q in year.questions) >= 300
    returning = Counter((q.tenant, q.client) for q in year.questions)
    assert sum(n > 1 for n in returning.values()) >= 300, "returning clients"
    assert len(year.signals) >= 50


def test_the_dates_lie_across_the_past_year_within_what_intake_accepts() -> None:
    dates = [datetime.fromisoformat(q.register["occurred_at"]) for q in demo_year.plan(NOW).questions]
    assert min(dates) >= NOW - timedelta(days=366) and max(dates) <= NOW
    months = Counter(d.strftime("%Y-%m") for d in dates)
    past = [n for month, n in months.items() if month != NOW.strftime("%Y-%m")]
    assert len(past) >= 12 and min(past) >= 150, "every month of the year has questions"
    assert sum(d.date() == NOW.date() for d in dates) >= 20, "today's questions for the front office's list"


def test_every_step_is_one_the_domain_allows() -> None:
    for q in demo_year.plan(NOW).questions:
        assert all(t in taxonomy.themes() for t in q.register["themes"] + q.clarify)
        assert all(b in taxonomy.barriers() for b in q.register["barriers"])
        assert q.register["channel"] in taxonomy.channels()
        assert not q.clarify or q.clarify != q.register["themes"], "a clarification changes the themes"
        assert q.close != "answered" or q.inform or q.accompany, "answered needs informed or accompanied"
        assert q.close != "gap" or q.gap
        assert not (q.gap and q.refer)


def test_the_same_plan_and_command_ids_for_the_same_seed_so_a_second_demo_changes_nothing() -> None:
    first, again = demo_year.plan(NOW), demo_year.plan(NOW + timedelta(hours=5))
    assert [q.key for q in first.questions] == [q.key for q in again.questions]
    assert [q.register["themes"] for q in first.questions] == [q.register["themes"] for q in again.questions]
    assert len({q.key for q in first.questions}) == len(first.questions)


def test_no_contact_details_in_the_free_text_it_sends() -> None:
    for s in demo_year.plan(NOW).signals:
        assert not screening.find(s["text"]), s["text"]


class _Services:
    """IntakeService, ReferralService and CatalogueService as the loader sees them: answers, the calls in the order
    they arrived, how many commands and searches were in flight at most."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.in_flight = self.most = self.searching = self.most_searching = 0
        self.tokens: list[str] = []

    def as_(self, token: str) -> _Services:
        self.tokens.append(token)
        return self

    async def _answer(self, rpc: str, fields: dict) -> SimpleNamespace:
        search = rpc == "SearchServices"  # the searches before the year have a gate of their own
        self.in_flight += not search
        self.searching += search
        self.most, self.most_searching = max(self.most, self.in_flight), max(self.most_searching, self.searching)
        await asyncio.sleep(0)
        self.calls.append((rpc, fields))
        self.in_flight -= not search
        self.searching -= search
        key = fields.get("command_id", "")
        if rpc == "SearchServices":
            service = SimpleNamespace(id=f"svc-{fields['theme']}", service=SimpleNamespace(organization_id="org-1"))
            return SimpleNamespace(hits=[SimpleNamespace(service=service)])
        return SimpleNamespace(question_id=f"q-of-{key}", client_id=fields.get("client_id") or f"c-of-{key}",
                               referral_id=f"r-of-{key}")

    async def intake_call(self, rpc: str, timeout: float = 10, **fields) -> SimpleNamespace:
        return await self._answer(rpc, fields)

    referral_call = catalogue_call = intake_call


def _small_year() -> demo_year.Plan:
    year = demo_year.plan(NOW)
    return demo_year.Plan([q for t in ("kortrijk", "brugge") for q in year.of(t)[:150]], year.signals[:10])


def test_the_loader_keeps_the_order_that_matters_and_no_phase_waits_for_the_last_of_another() -> None:
    year, services = _small_year(), _Services()
    mints: list[tuple] = []

    def mint(role, tenant=None, partner=None, staff_id="") -> str:
        mints.append((role, tenant, partner, staff_id))
        return f"token-{len(mints)}"
    loaded = asyncio.run(demo_year.Year(services, mint, concurrency=8).load(year))
    sent = [(rpc, f) for rpc, f in services.calls if rpc != "SearchServices"]
    at = {f["command_id"]: n for n, (_, f) in enumerate(sent) if "command_id" in f}
    first: dict[tuple[str, int], demo_year.Planned] = {}
    for q in year.questions:
        before = first.setdefault((q.tenant, q.client), q)
        if before is not q:  # a returning client: asked with the pseudonym of their first question, after it
            assert sent[at[f"{q.key}-register"]][1]["client_id"] == f"c-of-{before.key}-register"
            assert at[f"{q.key}-register"] > at[f"{before.key}-register"]
    referred = [q for q in year.questions if q.refer]
    assert all(at[f"{q.key}-refer"] > at[f"{q.key}-consent"] for q in referred), "a referral after its consent"
    last_question = max(at[f"{q.key}-register"] for q in year.questions)
    assert min(at[f"{q.key}-refer"] for q in referred) < last_question, "referrals begin before the last question"
    assert services.most <= 8 and loaded["questions"] == len(year.questions)
    assert services.most_searching == demo_year.SEARCHES, "a few searches at a time, not two dozen"
    assert len(mints) == len(set(mints)), "one token per person, not per call"
