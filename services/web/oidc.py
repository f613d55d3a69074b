"""OpenID Connect sign-in (authorization code flow with PKCE, S256) with Authlib against the configured issuer.

The issuer's discovery document gives the endpoints and its JWKS; Authlib checks the id_token's signature, issuer,
audience, expiry and nonce. The person's role, municipality, partner and office come from the configured claims.
"""
from __future__ import annotations

import hashlib
import time
from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from joserfc.errors import JoseError
from starlette.requests import Request

from contracts.envelope import Role
from services.plumbing.auth import MAX_STAFF_ID
from services.plumbing.settings import read
from services.web.config import WebSettings
from services.web.session import Person

SIGNABLE = {r.value for r in Role} - {Role.SYSTEM.value}


class SignInRefused(ValueError):
    """The issuer's answer does not make a Wegwijs person (missing or unknown claims, a failed check)."""


class Oidc:
    def __init__(self, settings: WebSettings, **client_kwargs: Any) -> None:
        self.settings = settings
        secret = read(settings.oidc_client_secret_file, "web_oidc_client_secret_file").decode().strip() \
            if settings.oidc_client_secret_file else None
        self.oauth = OAuth()
        self.client = self.oauth.register(
            "wegwijs", client_id=settings.oidc_client_id, client_secret=secret,
            server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": settings.oidc_scope, "code_challenge_method": "S256", **client_kwargs})

    @property
    def redirect_uri(self) -> str:
        return self.settings.public_url.rstrip("/") + "/auth/callback"

    async def start(self, request: Request) -> Any:
        """The redirect to the issuer's authorization endpoint (state, nonce and PKCE verifier kept in the session)."""
        return await self.client.authorize_redirect(request, self.redirect_uri)

    async def finish(self, request: Request) -> Person:
        """Exchange the code (with the PKCE verifier), check the id_token, and make the person from its claims."""
        try:
            token = await self.client.authorize_access_token(request)
        except OAuthError as exc:
            raise SignInRefused(f"{exc.error}: {exc.description or 'the issuer refused'}") from None
        except JoseError as exc:  # the id_token's signature, issuer, audience, expiry or nonce
            raise SignInRefused(f"id_token: {exc.error}: {exc.description or 'refused'}") from None
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise SignInRefused("id_token: the issuer sent no id_token")
        return self.person(claims)

    def person(self, claims: dict[str, Any]) -> Person:
        s = self.settings
        role = str(claims.get(s.oidc_role_claim) or "")
        if role not in SIGNABLE:
            raise SignInRefused(f"{s.oidc_role_claim}: {role!r} is not a Wegwijs role")
        subject = str(claims.get(s.oidc_subject_claim) or "")
        if not subject:
            raise SignInRefused(f"{s.oidc_subject_claim}: missing")
        if len(subject) > MAX_STAFF_ID:  # the services keep at most 64 characters as the actor
            subject = "oidc-" + hashlib.sha256(subject.encode()).hexdigest()[:32]
        person = Person(staff_id=subject, role=role, municipality=claims.get(s.oidc_municipality_claim) or None,
                        partner=claims.get(s.oidc_partner_claim) or None, office=claims.get(s.oidc_office_claim) or None,
                        expires=time.time() + s.session_hours * 3600)
        if role == Role.PARTNER.value and not person.partner:
            raise SignInRefused(f"{s.oidc_partner_claim}: a partner must name the partner organisation")
        if role != Role.PARTNER.value and not person.municipality:
            raise SignInRefused(f"{s.oidc_municipality_claim}: this role acts for a municipality")
        return person
