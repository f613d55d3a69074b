"""Expired, tampered, wrongly signed and missing tokens are refused; a valid one maps to its principal."""
from __future__ import annotations

import time

import jwt
import pytest

from contracts.envelope import Role
from services.plumbing import auth
from services.plumbing.errors import PermissionDenied, Unauthenticated

PRINCIPAL = auth.Principal(staff_id="s-1", role=Role.FRONT_OFFICE, municipality="kortrijk")


@pytest.fixture(scope="module")
def keys() -> tuple[auth.TokenIssuer, auth.TokenVerifier]:
    private, public = auth.new_keypair()
    return auth.TokenIssuer(auth.load_private(private)), auth.TokenVerifier(auth.load_public(public))


def test_a_valid_token_maps_to_its_principal(keys) -> None:
    issuer, verifier = keys
    assert verifier.verify(issuer.issue(PRINCIPAL)) == PRINCIPAL


def test_an_expired_token_is_refused(keys) -> None:
    issuer, verifier = keys
    with pytest.raises(Unauthenticated, match="expired"):
        verifier.verify(issuer.issue(PRINCIPAL, ttl_seconds=-60))


def test_a_tampered_token_is_refused(keys) -> None:
    issuer, verifier = keys
    header, payload, signature = issuer.issue(PRINCIPAL).split(".")
    claims = jwt.api_jws.base64url_decode(payload).replace(b'"front-office"', b'"admin"')
    forged = ".".join([header, jwt.api_jws.base64url_encode(claims).decode(), signature])
    with pytest.raises(Unauthenticated, match="invalid"):
        verifier.verify(forged)


def test_a_token_signed_by_another_key_is_refused(keys) -> None:
    _, verifier = keys
    stranger = auth.TokenIssuer(auth.load_private(auth.new_keypair()[0]))
    with pytest.raises(Unauthenticated):
        verifier.verify(stranger.issue(PRINCIPAL))


def test_an_unsigned_or_hmac_token_is_refused(keys) -> None:
    _, verifier = keys
    now = int(time.time())
    claims = {"sub": "s-1", "role": "admin", "iss": auth.ISSUER, "aud": auth.AUDIENCE, "iat": now, "exp": now + 60}
    guessed_secret = "a-guessed-shared-secret-of-32-bytes!"
    for token in (jwt.encode(claims, None, algorithm="none"), jwt.encode(claims, guessed_secret, algorithm="HS256")):
        with pytest.raises(Unauthenticated):
            verifier.verify(token)


def test_garbage_and_empty_tokens_are_refused(keys) -> None:
    _, verifier = keys
    for token in ("", "not.a.token", "abc"):
        with pytest.raises(Unauthenticated):
            verifier.verify(token)


def test_tenant_scoping_never_trusts_the_body() -> None:
    assert auth.scope_tenant(PRINCIPAL, None) == "kortrijk"
    assert auth.scope_tenant(PRINCIPAL, "kortrijk") == "kortrijk"
    with pytest.raises(PermissionDenied):
        auth.scope_tenant(PRINCIPAL, "brugge")
    admin = auth.Principal(staff_id="a-1", role=Role.ADMIN)
    assert auth.scope_tenant(admin, "brugge") == "brugge"
    with pytest.raises(PermissionDenied):
        auth.scope_tenant(admin, None)


def test_partner_scoping_never_trusts_the_body() -> None:
    partner = auth.Principal(staff_id="p-1", role=Role.PARTNER, partner="ocmw-kortrijk")
    assert auth.scope_partner(partner, None) == "ocmw-kortrijk"
    with pytest.raises(PermissionDenied):
        auth.scope_partner(partner, "vzw-elders")
