"""The HTML report names what people know by name: themes, barriers, channels and languages by their Dutch labels,
offices by name, services and organisations as the catalogue names them — never a code or an id."""
from __future__ import annotations

import json
import re
from typing import Any

import grpc

from contracts.proto import catalogue_pb2 as cat
from contracts.proto import insights_pb2 as pb
from services.insights.entrypoints import cli, report

SERVICE, ORG = "0b1c2d3e-4f50-5617-8829-3a4b5c6d7e8f", "9f8e7d6c-5b4a-5392-8170-6f5e4d3c2b1a"


def c(value: int) -> pb.Count:
    return pb.Count(value=-1, suppressed=True) if value < 0 else pb.Count(value=value)


def page(names: report.Names) -> str:
    themes = pb.QuestionsPerThemeResponse(rows=[pb.ThemeMonthCount(theme="housing.search", month="2026-10",
                                                                   questions=12)], total=12, threshold=5)
    workload = pb.WorkloadByChannelResponse(rows=[pb.ChannelCount(
        office="huis-van-de-kortrijkzaan", channel="whatsapp", month="2026-10", questions=12,
        accompaniments=c(6), minutes_accompanying=c(360))], total=12, threshold=5, accompaniments=c(6),
        minutes_accompanying=c(360))
    languages = pb.LanguageDemandResponse(rows=[pb.LanguageCount(language="ar", month="2026-10", questions=12)],
                                          threshold=5)
    access = pb.ServiceAccessResponse(rows=[pb.ServiceAccessRow(
        organization_id=ORG, service_id=SERVICE, period="2026-10", requested=c(9), accepted=c(6), rejected=c(-1),
        completed=c(5), failed=c(-1), accompanied=c(0))], total=pb.ServiceAccessRow(requested=c(9)),
        reasons=[pb.ReasonCount(organization_id=ORG, service_id=SERVICE, kind="rejected", reason="no-capacity",
                                period="2026-10", referrals=c(-1))], threshold=5)
    barriers = pb.BarriersResponse(barriers=[pb.BarrierTable(
        barrier="language", themes=[pb.BarrierThemeRow(theme="housing", period="2026-10", questions=c(7))],
        questions=c(7), failed=[pb.BarrierFailedRow(organization_id=ORG, service_id=SERVICE, period="2026-10",
                                                    referrals=c(-1))])], threshold=5)
    return report.render("kortrijk", themes, workload, languages, access=access, barriers=barriers, names=names)


def text(html: str) -> str:
    return re.sub(r"<script.*?</script>", "", html, flags=re.S)


def test_services_and_organisations_are_named_by_the_catalogue_never_by_id() -> None:
    html = text(page(report.Names({SERVICE: "Woonloket Leiebrugge"}, {ORG: "OCMW Leiebrugge"})))
    assert "Woonloket Leiebrugge" in html and "OCMW Leiebrugge" in html
    assert SERVICE not in html and ORG not in html


def test_without_the_catalogue_a_service_is_said_to_be_unknown_not_shown_as_an_id() -> None:
    html = page(report.Names())
    assert SERVICE not in html and ORG not in html
    assert "een dienst die niet (meer) in de catalogus staat" in html


def test_codes_become_dutch_labels() -> None:
    html = page(report.Names())
    for label in ("Woning zoeken", "WhatsApp", "Huis van de Kortrijkzaan", "Arabisch", "Taal", "Wonen",
                  "geen plaats"):
        assert label in html, label
    body = text(html)
    for code in (">housing.search<", ">whatsapp<", ">huis-van-de-kortrijkzaan<", "<td>ar</td>", ">no-capacity<"):
        assert code not in body, code


def test_the_page_has_a_readable_layout_of_its_own() -> None:
    html = page(report.Names())
    assert "<style>" in html and "max-width" in html and 'name="viewport"' in html


class PagedCatalogue:
    """Stands in for the Client the report makes: the catalogue's export one object a page, and ExportHsds refused
    as a large catalogue's one message is (RESOURCE_EXHAUSTED above about 1,900 services)."""

    OBJECTS = {"service": [{"id": "s-0", "name": "Taalpunt"}, {"id": SERVICE, "name": "Woonloket Leiebrugge"}],
               "organization": [{"id": "o-0", "name": "Taalpunt vzw"}, {"id": ORG, "name": "OCMW Leiebrugge"}]}

    def __init__(self, *_: Any, **__: Any) -> None:
        self.closed = False

    async def catalogue_call(self, rpc: str, **fields: Any) -> Any:
        if rpc != "ExportHsdsPage":
            raise grpc.aio.AioRpcError(grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.aio.Metadata(), grpc.aio.Metadata(),
                                       "Received message larger than max")
        assert fields["tenant"] == "kortrijk"
        found, start = self.OBJECTS[fields["kind"]], int(fields["page_token"] or 0)
        return cat.ExportHsdsPageResponse(document=json.dumps(found[start:start + 1]), records=1, total=len(found),
                                          next_page_token=str(start + 1) if start + 1 < len(found) else "")

    async def close(self) -> None:
        self.closed = True


async def test_the_report_reads_the_names_page_by_page_as_a_catalogue_of_any_size_needs(monkeypatch) -> None:
    monkeypatch.setattr(cli, "Client", PagedCatalogue)
    names = await cli.catalogue_names("kortrijk", "a-token", "127.0.0.1:1")
    assert names.services == {"s-0": "Taalpunt", SERVICE: "Woonloket Leiebrugge"}
    assert names.organisations == {"o-0": "Taalpunt vzw", ORG: "OCMW Leiebrugge"}
