"""A small Python client of the Wegwijs gRPC APIs, used by the CLI, the demo and the end-to-end tests."""
from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Sequence
from typing import Any

import grpc
from google.protobuf import message_factory
from grpc_health.v1 import health_pb2, health_pb2_grpc

from contracts.proto import (
    catalogue_pb2,
    catalogue_pb2_grpc,
    insights_pb2,
    insights_pb2_grpc,
    intake_pb2,
    intake_pb2_grpc,
    referral_pb2,
    referral_pb2_grpc,
)
from services.plumbing.settings import Settings, read


def channel(address: str, credentials: grpc.ChannelCredentials | None) -> grpc.aio.Channel:
    if credentials is None:
        return grpc.aio.insecure_channel(address)
    return grpc.aio.secure_channel(address, credentials)


def tls(ca: bytes, cert: bytes | None = None, key: bytes | None = None) -> grpc.ChannelCredentials:
    """Channel credentials trusting `ca`; with a client certificate for mutual TLS."""
    return grpc.ssl_channel_credentials(root_certificates=ca, private_key=key, certificate_chain=cert)


def configured_credentials(settings: Settings) -> grpc.ChannelCredentials | None:
    """TLS when WEGWIJS_TLS_CA_FILE is set, with a client certificate (mutual TLS) when one is configured."""
    if settings.tls_ca_file is None:
        return None
    cert = read(settings.tls_client_cert_file, "tls_client_cert_file") if settings.tls_client_cert_file else None
    key = read(settings.tls_client_key_file, "tls_client_key_file") if settings.tls_client_key_file else None
    return tls(read(settings.tls_ca_file, "tls_ca_file"), cert, key)


def _request(module: Any, service: str, rpc: str, fields: dict[str, Any]) -> Any:
    """The request message of `service.rpc`, with a fresh command_id for a command unless one is given."""
    method = module.DESCRIPTOR.services_by_name[service].methods_by_name[rpc]
    request_cls = message_factory.GetMessageClass(method.input_type)
    if "command_id" in request_cls.DESCRIPTOR.fields_by_name:
        fields.setdefault("command_id", uuid.uuid4().hex)
    return request_cls(**fields)


async def hsds_objects(client: Any, kind: str, tenant: str = "", page_size: int = 0) -> list[dict[str, Any]]:
    """Every HSDS object of `kind` in the municipality's catalogue, in HSDS id order, asked with ExportHsdsPage page by
    page (`client`: a Client, or what stands in for one): a catalogue of any size, where ExportHsds's one message is
    refused above about 1,900 services."""
    objects: list[dict[str, Any]] = []
    token = ""
    while True:
        page = await client.catalogue_call("ExportHsdsPage", tenant=tenant, kind=kind, page_size=page_size,
                                           page_token=token)
        objects += json.loads(page.document or "[]")
        if not (token := page.next_page_token):
            return objects


class Client:
    """Calls the APIs with one bearer token; `as_(token)` gives a client for another principal on the same channels.
    The referral and catalogue services are reached when their addresses are given."""

    def __init__(self, intake: str, insights: str, token: str = "",
                 credentials: grpc.ChannelCredentials | None = None, *, referral: str = "",
                 catalogue: str = "") -> None:
        self._intake_channel = channel(intake, credentials)
        self._insights_channel = channel(insights, credentials)
        self._more = [channel(a, credentials) if a else None for a in (referral, catalogue)]
        self.intake = intake_pb2_grpc.IntakeServiceStub(self._intake_channel)
        self.insights = insights_pb2_grpc.InsightsServiceStub(self._insights_channel)
        self.referral = referral_pb2_grpc.ReferralServiceStub(self._more[0]) if referral else None
        self.catalogue = catalogue_pb2_grpc.CatalogueServiceStub(self._more[1]) if catalogue else None
        self.metadata: tuple[tuple[str, str], ...] = (("authorization", f"Bearer {token}"),) if token else ()

    def as_(self, token: str) -> Client:
        other = copy.copy(self)
        other.metadata = (("authorization", f"Bearer {token}"),)
        return other

    def _channels(self) -> list[grpc.aio.Channel]:
        return [self._intake_channel, self._insights_channel, *(c for c in self._more if c is not None)]

    async def close(self) -> None:
        for ch in self._channels():
            await ch.close()

    async def healthy(self) -> bool:
        try:
            for channel in self._channels():
                reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1)
                if reply.status != health_pb2.HealthCheckResponse.SERVING:
                    return False
        except grpc.aio.AioRpcError:
            return False
        return True

    async def register_question(self, *, office_id: str, channel: str, themes: Sequence[str],
                                client_languages: Sequence[str], language_used: str, command_id: str | None = None,
                                **more: Any) -> Any:
        request = intake_pb2.RegisterQuestionRequest(
            command_id=command_id or uuid.uuid4().hex, office_id=office_id, channel=channel,
            themes=list(themes), client_languages=list(client_languages), language_used=language_used, **more)
        return await self.intake.RegisterQuestion(request, metadata=self.metadata, timeout=10)

    async def intake_call(self, rpc: str, timeout: float = 10, **fields: Any) -> Any:
        """Any IntakeService rpc by name, e.g. `intake_call("CloseQuestion", question_id=q, outcome="answered")`;
        a command gets a fresh command_id unless one is given."""
        request = _request(intake_pb2, "IntakeService", rpc, fields)
        return await getattr(self.intake, rpc)(request, metadata=self.metadata, timeout=timeout)

    async def referral_call(self, rpc: str, timeout: float = 10, **fields: Any) -> Any:
        """Any ReferralService rpc by name, e.g. `referral_call("Accept", referral_id=r)` (needs `referral=`)."""
        assert self.referral is not None, "this client was made without the referral service's address"
        request = _request(referral_pb2, "ReferralService", rpc, fields)
        return await getattr(self.referral, rpc)(request, metadata=self.metadata, timeout=timeout)

    async def catalogue_call(self, rpc: str, timeout: float = 10, **fields: Any) -> Any:
        """Any CatalogueService rpc by name, e.g. `catalogue_call("SearchServices", theme="housing")` (needs
        `catalogue=`)."""
        assert self.catalogue is not None, "this client was made without the catalogue service's address"
        request = _request(catalogue_pb2, "CatalogueService", rpc, fields)
        return await getattr(self.catalogue, rpc)(request, metadata=self.metadata, timeout=timeout)

    async def questions_per_theme(self, tenant: str = "", from_month: str = "", to_month: str = "") -> Any:
        request = insights_pb2.QuestionsPerThemeRequest(tenant=tenant, from_month=from_month, to_month=to_month)
        return await self.insights.QuestionsPerTheme(request, metadata=self.metadata, timeout=10)

    async def insights_call(self, rpc: str, **fields: Any) -> Any:
        """Any InsightsService rpc by name, e.g. `insights_call("UnmetNeeds", period="quarter")`."""
        method = insights_pb2.DESCRIPTOR.services_by_name["InsightsService"].methods_by_name[rpc]
        request = message_factory.GetMessageClass(method.input_type)(**fields)
        return await getattr(self.insights, rpc)(request, metadata=self.metadata, timeout=10)

    async def unmet_needs(self, **fields: Any) -> Any:
        """UnmetNeeds: tenant, from_month, to_month, period ("week"|"month"|"quarter"|"year"), level ("top"|"sub")."""
        return await self.insights_call("UnmetNeeds", **fields)

    async def service_access(self, **fields: Any) -> Any:
        """ServiceAccess: tenant, from_month, to_month, period ("month"|"quarter"|"year")."""
        return await self.insights_call("ServiceAccess", **fields)

    async def self_reliance(self, **fields: Any) -> Any:
        """SelfReliance: tenant, from_month, to_month, period ("month"|"quarter"|"year")."""
        return await self.insights_call("SelfReliance", **fields)

    async def gaps_in_offer(self, **fields: Any) -> Any:
        """GapsInOffer: tenant, from_month, to_month, level ("top"|"sub"), by_office, limit."""
        return await self.insights_call("GapsInOffer", **fields)

    async def barriers(self, **fields: Any) -> Any:
        """Barriers: tenant, from_month, to_month, period ("month"|"quarter"|"year"), level ("top"|"sub")."""
        return await self.insights_call("Barriers", **fields)

    async def list_signals(self, **fields: Any) -> Any:
        """ListSignals: tenant, from_month, to_month, theme, barrier, page_size, page_token."""
        return await self.insights_call("ListSignals", **fields)

    async def signal_counts(self, **fields: Any) -> Any:
        """SignalCounts: tenant, from_month, to_month, period, level."""
        return await self.insights_call("SignalCounts", **fields)

    async def language_coverage(self, **fields: Any) -> Any:
        """LanguageCoverage: tenant, from_month, to_month, period ("month"|"quarter"|"year")."""
        return await self.insights_call("LanguageCoverage", **fields)
