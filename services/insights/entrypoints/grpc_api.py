"""InsightsService over gRPC: translates protobuf ↔ queries only. A hidden (suppressed) count travels as -1."""
from __future__ import annotations

from typing import Any, ClassVar, Protocol

import grpc

from contracts.envelope import Role
from contracts.proto import insights_pb2, insights_pb2_grpc
from services.insights.application import barriers, coverage, needs, offer, policy, queries, signals
from services.insights.application.answers import Answers
from services.plumbing import auth
from services.plumbing.projection.store import ProjectionStore

POLICY = frozenset({Role.POLICY, Role.ADMIN})


class Views(Protocol):
    """Where queries read: a store, or the active generation of views."""

    async def current(self) -> ProjectionStore: ...


def count(n: int | None) -> tuple[int, bool]:
    return (-1, True) if n is None else (n, False)


def measure(name: str, n: int | None) -> dict[str, Any]:
    value, hidden = count(n)
    flag = "suppressed" if name == "questions" else f"{name}_suppressed"
    return {name: value, flag: hidden}


class InsightsServicer(insights_pb2_grpc.InsightsServiceServicer):
    ACCESS: ClassVar[auth.Access] = {
        "QuestionsPerTheme": POLICY,
        "WorkloadByChannel": POLICY,
        "LanguageDemand": POLICY,
        "UnmetNeeds": POLICY,
        "ServiceAccess": POLICY,
        "SelfReliance": POLICY,
        "GapsInOffer": POLICY,
        "Barriers": POLICY,
        "ListSignals": POLICY,
        "SignalCounts": POLICY,
        "LanguageCoverage": POLICY,
    }

    def __init__(self, views: Views, threshold: int = 5, answers: Answers | None = None) -> None:
        self.views, self.threshold = views, threshold
        self.answers = answers or Answers()

    async def _answer(self, query: Any, q: Any) -> dict[str, Any]:
        return await self.answers.ask(query, q, await self.views.current(), self.threshold)

    async def _ask(self, request: Any, query: Any) -> dict[str, Any]:
        tenant = auth.scope_tenant(auth.current(), request.tenant or None)
        period = queries.PeriodQuery(tenant=tenant, from_month=request.from_month or None,
                                     to_month=request.to_month or None)
        return dict(await self._answer(query, period))

    async def QuestionsPerTheme(self, request: Any, _: grpc.aio.ServicerContext) -> Any:  # noqa: N802
        result = await self._ask(request, queries.questions_per_theme)
        total, hidden = count(result["total"])
        return insights_pb2.QuestionsPerThemeResponse(
            rows=[insights_pb2.ThemeMonthCount(**{**r, **measure("questions", r["questions"])}) for r in result["rows"]],
            total=total, total_suppressed=hidden, threshold=self.threshold)

    async def WorkloadByChannel(self, request: Any, _: grpc.aio.ServicerContext) -> Any:  # noqa: N802
        result = await self._ask(request, queries.workload_by_channel)
        total, hidden = count(result["total"])
        return _counts(insights_pb2.WorkloadByChannelResponse, {
            **result, "total": total, "total_suppressed": hidden, "threshold": self.threshold,
            "rows": [_counts(insights_pb2.ChannelCount, {**r, **measure("questions", r["questions"])})
                     for r in result["rows"]]})

    async def LanguageDemand(self, request: Any, _: grpc.aio.ServicerContext) -> Any:  # noqa: N802
        result = await self._ask(request, queries.language_demand)
        return insights_pb2.LanguageDemandResponse(
            rows=[_language(r) for r in result["rows"]], total=_language(result["total"]), threshold=self.threshold)

    async def UnmetNeeds(self, request: Any, _: grpc.aio.ServicerContext) -> Any:  # noqa: N802
        result = await self._answer(needs.unmet_needs_by_theme, self._theme_query(request, policy.UnmetNeedsQuery))
        total = {"theme": "*", "period": "", **result["total"]}
        return insights_pb2.UnmetNeedsResponse(
            rows=[_counts(insights_pb2.UnmetNeedsRow, r) for r in result["rows"]],
            total=_counts(insights_pb2.UnmetNeedsRow, total), threshold=self.threshold,
            gap_reasons=[_counts(insights_pb2.GapReasonCount, r) for r in result["gap_reasons"]])

    async def ServiceAccess(self, request: Any, _: grpc.aio.ServicerContext) -> Any:  # noqa: N802
        result = await self._answer(policy.service_access, self._grouped_query(request))
        pb = insights_pb2

        def ids(r: dict[str, Any]) -> dict[str, Any]:
            return {**r, "organization_id": r.get("organization", ""), "service_id": r.get("service", ""),
                    "median_days_to_acceptance": r.get("median_days_accepted") or "",
                    "median_days_to_completion": r.get("median_days_completed") or "",
                    "share_accompanied": -1.0 if (share := r.get("share_accompanied")) is None else share}

        return pb.ServiceAccessResponse(
            rows=[_counts(pb.ServiceAccessRow, ids(r)) for r in result["rows"]],
            total=_counts(pb.ServiceAccessRow, ids({"period": "", **result["total"]})),
            reasons=[_counts(pb.ReasonCount, ids(r)) for r in result["reasons"]],
            languages=[_counts(pb.LanguageAskedOffered, ids(r)) for r in result["languages"]],
            threshold=self.threshold)

    async def SelfReliance(self, request: Any, _: grpc.aio.ServicerContext) -> Any:  # noqa: N802
        result = await self._answer(policy.self_reliance, self._grouped_query(request))
        row = insights_pb2.SelfRelianceRow
        return insights_pb2.SelfRelianceResponse(
            rows=[_counts(row, _share(r)) for r in result["rows"]],
            total=_counts(row, _share({"cohort": "*", "period": "", **result["total"]})), threshold=self.threshold)

    async def GapsInOffer(self, request: Any, _: grpc.aio.ServicerContext) -> Any:  # noqa: N802
        tenant = auth.scope_tenant(auth.current(), request.tenant or None)
        q = offer.GapsQuery(tenant=tenant, from_month=request.from_month or None, to_month=request.to_month or None,
                            level=request.level or "top", by_office=request.by_office, limit=request.limit or 50)
        result = await self._answer(offer.gaps_in_offer, q)
        return insights_pb2.GapsInOfferResponse(gaps=[_counts(insights_pb2.OfferGap, g) for g in result["gaps"]],
                                                threshold=self.threshold)

    def _grouped_query(self, request: Any, kind: type[policy.GroupedQuery] = policy.GroupedQuery,
                       **more: Any) -> Any:
        tenant = auth.scope_tenant(auth.current(), request.tenant or None)
        return kind(tenant=tenant, from_month=request.from_month or None, to_month=request.to_month or None,
                    period=request.period or "month", **more)

    def _theme_query(self, request: Any, kind: type[policy.ThemeQuery] = policy.ThemeQuery) -> Any:
        return self._grouped_query(request, kind, level=request.level or "top")

    async def Barriers(self, request: Any, _: grpc.aio.ServicerContext) -> Any:  # noqa: N802
        result = await self._answer(barriers.barriers, self._theme_query(request))
        pb = insights_pb2

        def table(b: dict[str, Any]) -> Any:
            return _counts(pb.BarrierTable, {
                **b, "themes": [_counts(pb.BarrierThemeRow, r) for r in b["themes"]],
                "failed": [_counts(pb.BarrierFailedRow, {**r, "organization_id": r["organization"],
                                                         "service_id": r["service"]}) for r in b["failed"]],
                "signals": [_counts(pb.BarrierSignalRow, r) for r in b["signals"]]})

        return pb.BarriersResponse(barriers=[table(b) for b in result["barriers"]], threshold=self.threshold)

    async def ListSignals(self, request: Any, _: grpc.aio.ServicerContext) -> Any:  # noqa: N802
        tenant = auth.scope_tenant(auth.current(), request.tenant or None)
        q = signals.SignalsQuery(tenant=tenant, from_month=request.from_month or None,
                                 to_month=request.to_month or None, theme=request.theme or None,
                                 barrier=request.barrier or None, page_size=request.page_size or 20,
                                 page_token=request.page_token or None)
        result = await signals.list_signals(q, await self.views.current())
        return insights_pb2.ListSignalsResponse(
            signals=[insights_pb2.Signal(signal_id=s["signal"], month=s["month"], reported_at=s["at"],
                                         office_id=s["office"], themes=s["themes"], barriers=s["barriers"],
                                         services=s["services"], text=s["text"]) for s in result["signals"]],
            next_page_token=result["next_page_token"])

    async def SignalCounts(self, request: Any, _: grpc.aio.ServicerContext) -> Any:  # noqa: N802
        result = await self._answer(signals.signal_counts, self._theme_query(request))
        return insights_pb2.SignalCountsResponse(
            rows=[_counts(insights_pb2.SignalCountRow, r) for r in result["rows"]],
            total=_count(result["total"]),
            threshold=self.threshold)

    async def LanguageCoverage(self, request: Any, _: grpc.aio.ServicerContext) -> Any:  # noqa: N802
        result = await self._answer(coverage.language_coverage, self._grouped_query(request))
        pb = insights_pb2
        return pb.LanguageCoverageResponse(
            rows=[_counts(pb.LanguageCoverageRow, r) for r in result["rows"]],
            total=_counts(pb.LanguageCoverageRow, result["total"]),
            offer=[pb.LanguageOffer(**o) for o in result["offer"]], threshold=self.threshold)


def _count(n: int | None) -> Any:
    shown, hidden = count(n)
    return insights_pb2.Count(value=shown, suppressed=hidden)


def _counts(message: Any, row: dict[str, Any]) -> Any:
    """A row of a new-style answer: plain fields as they are, every measure as a `Count` (-1 and flagged if hidden)."""
    fields = message.DESCRIPTOR.fields_by_name
    out = {}
    for name, value in row.items():
        if name not in fields:
            continue
        if fields[name].message_type is not None and fields[name].message_type.name == "Count":
            shown, hidden = count(value)
            value = insights_pb2.Count(value=shown, suppressed=hidden)
        out[name] = value
    return message(**out)


def _share(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "share_went_alone": -1.0 if row["share_went_alone"] is None else row["share_went_alone"]}


def _language(row: dict[str, Any]) -> Any:
    counts = {k: v for m in ("questions", "interpreter_needed", "uncovered") for k, v in measure(m, row[m]).items()}
    return insights_pb2.LanguageCount(language=row["language"], month=row["month"], **counts)
