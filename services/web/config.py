"""The web application's settings (`WEGWIJS_WEB_*`), beside the shared ones it reads for the gRPC side."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WEGWIJS_WEB_", frozen=True)

    host: str = "127.0.0.1"
    port: int = 7060
    # HTTPS for the browser: on when both are set (session cookies are then Secure). Locally plain HTTP on loopback.
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    # Signs the session cookie (itsdangerous). Required.
    session_secret_file: Path | None = None
    session_hours: int = Field(default=8, ge=1, le=12)
    # The local development sign-in page (pick a role, municipality, partner). Never set it in production.
    dev_signin: bool = False
    # Browser assets installed by deploy/local/web-assets (npm): htmx is served from here.
    vendor_dir: Path = ROOT / ".local" / "web" / "node_modules"
    # The gRPC services (empty: WEGWIJS_GRPC_HOST with WEGWIJS_<SERVICE>_PORT, as the local runner starts them).
    intake_addr: str = ""
    referral_addr: str = ""
    catalogue_addr: str = ""
    insights_addr: str = ""
    # OpenID Connect (production sign-in): the issuer's URL (its /.well-known/openid-configuration is read).
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret_file: Path | None = None
    oidc_scope: str = "openid profile"
    # Where the issuer sends the browser back: this application's public URL (…/auth/callback is appended).
    public_url: str = "http://127.0.0.1:7060"
    # The claims of the id_token (or userinfo) that carry the Wegwijs role, municipality, partner and office.
    oidc_role_claim: str = "wegwijs_role"
    oidc_municipality_claim: str = "wegwijs_municipality"
    oidc_partner_claim: str = "wegwijs_partner"
    oidc_office_claim: str = "wegwijs_office"
    oidc_subject_claim: str = "sub"

    @model_validator(mode="after")
    def _tls_pair(self) -> WebSettings:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("WEGWIJS_WEB_TLS_CERT_FILE and WEGWIJS_WEB_TLS_KEY_FILE go together")
        return self

    @property
    def tls(self) -> bool:
        return self.tls_cert_file is not None

    @property
    def oidc(self) -> bool:
        return bool(self.oidc_issuer)
