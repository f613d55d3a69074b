"""What the `wegwijs-insights` commands share: calling InsightsService and printing tables or CSV."""
from __future__ import annotations

import csv as csv_module
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from contracts.envelope import Role
from contracts.proto import insights_pb2
from services.cli import INTAKE, connect, mint

console = Console()


async def ask(tenant: str, token: str, insights: str, rpc: str, from_month: str = "", to_month: str = "") -> Any:
    client = connect(INTAKE.default, insights, token or mint(Role.POLICY, tenant))
    try:
        request = insights_pb2.PeriodRequest(tenant=tenant, from_month=from_month, to_month=to_month)
        if rpc == "QuestionsPerTheme":
            request = insights_pb2.QuestionsPerThemeRequest(tenant=tenant, from_month=from_month, to_month=to_month)
        return await getattr(client.insights, rpc)(request, metadata=client.metadata, timeout=10)
    finally:
        await client.close()


def shown(value: int, hidden: bool, threshold: int) -> str:
    """A count as policy users see it: a suppressed one as "<5"."""
    return f"<{threshold}" if hidden else str(value)


def output(title: str, header: list[str], rows: list[list[str]], csv: bool) -> None:
    if csv:
        writer = csv_module.writer(sys.stdout, lineterminator="\n")  # quotes a value with a comma (labels, texts)
        writer.writerow(header)
        writer.writerows(rows)
        return
    table = Table(title=title)
    for i, name in enumerate(header):
        table.add_column(name, justify="right" if i >= len(header) - 3 and name not in ("month",) else "left")
    for row in rows:
        table.add_row(*row)
    console.print(table)


async def call(tenant: str, token: str, insights: str, rpc: str, request: Any) -> Any:
    """Any InsightsService rpc with a ready request, as a policy user of `tenant` unless a token is given."""
    client = connect(INTAKE.default, insights, token or mint(Role.POLICY, tenant))
    try:
        return await getattr(client.insights, rpc)(request, metadata=client.metadata, timeout=10)
    finally:
        await client.close()


def counted(c: Any, threshold: int) -> str:
    """A `Count` as policy users see it."""
    return shown(c.value, c.suppressed, threshold)


def unmet_needs_request(tenant: str, from_month: str = "", to_month: str = "", period: str = "",
                        level: str = "") -> Any:
    return insights_pb2.ThemePeriodRequest(tenant=tenant, from_month=from_month, to_month=to_month, period=period,
                                           level=level)

