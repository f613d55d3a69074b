"""Settings from environment variables (prefix `WEGWIJS_`). Built by each composition root, never at import time."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.plumbing import records


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WEGWIJS_", frozen=True)

    kafka_bootstrap: str = "127.0.0.1:9092"
    mongo_url: str = "mongodb://127.0.0.1:27017"  # production: credentials and tls=true in the URL
    # Kafka security for production: SASL_SSL with SCRAM, the brokers' CA. Local stack: PLAINTEXT on loopback.
    kafka_security_protocol: str = "PLAINTEXT"
    kafka_sasl_mechanism: str | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = None
    kafka_ca_file: Path | None = None
    # Prefixes keep environments (and tests) apart on one Kafka and one MongoDB.
    topic_prefix: str = ""
    db_prefix: str = "wegwijs_"
    grpc_host: str = "127.0.0.1"
    intake_port: int = 7051
    referral_port: int = 7052
    catalogue_port: int = 7053
    insights_port: int = 7054
    relay_batch_size: int = 500
    relay_poll_seconds: float = 1.0
    # The largest record an event may make (bytes): the producer's max_request_size, and the door check that refuses
    # a larger command with INVALID_ARGUMENT. Keep it at or below the broker's message.max.bytes (and topics'
    # max.message.bytes): the local stack's broker takes 1048588.
    kafka_max_message_bytes: int = Field(default=records.MAX_MESSAGE_BYTES, ge=4096)
    # Prometheus metrics (`/metrics`) of a service on its gRPC port + this offset (9051 for intake); 0: none.
    metrics_port_offset: int = Field(default=2000, ge=0)
    consumer_batch_size: int = 2000
    consumer_poll_ms: int = 100
    # Insights: a batch of fewer records than the batch size waits this long for more before it is projected (the
    # views trail the events by up to this much more; a batch's writes cost about the same for 10 records or 100).
    projection_linger_ms: int = Field(default=500, ge=0)
    # A rebuild of a long history decodes and projects in this many worker processes (0: one per CPU; 1: none).
    rebuild_workers: int = Field(default=0, ge=0)
    shutdown_grace_seconds: float = 5.0
    # Bounds on every request (docs/api/README.md, "Limits"): items of any one list field, anywhere in a message.
    max_list_items: int = Field(default=1000, ge=1)
    # Health: every service probes its database (insights also Kafka) this often; NOT_SERVING while a probe fails.
    health_probe_seconds: float = Field(default=5.0, gt=0)
    # Dates in commands and queries: none before `dates_earliest`, none more than `dates_ahead_days` after today.
    dates_earliest: date = date(2000, 1, 1)
    dates_ahead_days: int = Field(default=1, ge=0)
    # Insights: counts from 1 to this minus one are never shown to policy users (small-cell suppression).
    suppression_threshold: int = Field(default=5, ge=1)
    # Token verification key (Ed25519 public PEM). Required: services refuse to start without it.
    jwt_public_key_file: Path | None = None
    jwt_private_key_file: Path | None = None  # only where tokens are issued (the CLI for local use)
    # Tokens living longer than this (exp - iat) are refused by every service and never minted by `wegwijs token`.
    token_max_lifetime_seconds: int = Field(default=12 * 3600, ge=60)
    # gRPC TLS: on when cert and key are set; mutual when a client CA is set too.
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    tls_client_ca_file: Path | None = None
    # Client side: the CA that signed the servers' certificates, and an optional client certificate.
    tls_ca_file: Path | None = None
    tls_client_cert_file: Path | None = None
    tls_client_key_file: Path | None = None
    log_json: bool | None = None  # None: JSON unless stdout is a terminal
    log_level: str = "info"

    def topic(self, base: str) -> str:
        return self.topic_prefix + base

    def database(self, service: str) -> str:
        return self.db_prefix + service


def read(path: Path | None, setting: str) -> bytes:
    """The bytes of a configured file, or a one-line error naming the setting."""
    if path is None:
        raise SystemExit(f"error: WEGWIJS_{setting.upper()} is not set")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SystemExit(f"error: WEGWIJS_{setting.upper()}: cannot read {path}: {exc.strerror}") from None
