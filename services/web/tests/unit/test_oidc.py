"""OpenID Connect sign-in against a fake issuer in process: discovery, the authorization redirect with a PKCE
challenge (S256), the token endpoint (the verifier checked there), the id_token's signature, audience and nonce, and
the person taken from the configured claims."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx2
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.testclient import TestClient

from services.plumbing import devsecrets
from services.plumbing.settings import Settings
from services.web.app import create_app
from services.web.config import WebSettings
from services.web.oidc import Oidc
from services.web.tests.fake_oidc import CLIENT_ID, CLIENT_SECRET, ISSUER, FakeIssuer

CLAIMS = {"sub": "2c6f0b7e-kortrijk-bw-17", "wegwijs_role": "front-office", "wegwijs_municipality": "kortrijk",
          "wegwijs_office": "huis-van-de-kortrijkzaan"}


@pytest.fixture
def issuer() -> FakeIssuer:
    return FakeIssuer()


@pytest.fixture
def web(issuer: FakeIssuer, web_secrets: Path, tmp_path: Path) -> TestClient:
    secret = tmp_path / "oidc-client-secret"
    secret.write_text(CLIENT_SECRET + "\n")
    config = WebSettings(session_secret_file=web_secrets / devsecrets.WEB_SESSION_SECRET, oidc_issuer=ISSUER,
                         oidc_client_id=CLIENT_ID, oidc_client_secret_file=secret, public_url="http://testserver")
    oidc = Oidc(config, transport=httpx2.ASGITransport(app=issuer.app()))
    app = create_app(config, Settings(jwt_private_key_file=web_secrets / "jwt-private.pem"), oidc=oidc)
    return TestClient(app, follow_redirects=False)


def start(web: TestClient) -> str:
    answer = web.get("/signin/oidc")
    assert answer.status_code == 302
    return answer.headers["location"]


def who(web: TestClient) -> str:
    found = re.search(r'<span class="who">([^<]*)</span>', web.get("/signin").text)
    return found.group(1) if found else ""


def test_the_authorization_redirect_carries_a_pkce_challenge_state_and_nonce(web: TestClient) -> None:
    location = start(web)
    assert location.startswith(f"{ISSUER}/auth?")
    query = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
    assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "http://testserver/auth/callback" and "openid" in query["scope"].split()
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["state"] and query["nonce"]


def test_signing_in_makes_the_person_of_the_claims(web: TestClient, issuer: FakeIssuer) -> None:
    answer = web.get("/auth/callback", params=issuer.authorize(start(web), CLAIMS))
    assert answer.status_code == 303 and answer.headers["location"] == "/front"
    [exchange] = issuer.exchanged
    assert exchange["grant_type"] == "authorization_code" and exchange["code_verifier"]  # checked by the issuer
    assert who(web) == "2c6f0b7e-kortrijk-bw-17 · onthaal · kortrijk"


def test_a_partner_comes_with_its_organisation(web: TestClient, issuer: FakeIssuer) -> None:
    claims = {"sub": "p-1", "wegwijs_role": "partner", "wegwijs_partner": "ocmw-kortrijk"}
    assert web.get("/auth/callback", params=issuer.authorize(start(web), claims)).headers["location"] == "/partner"
    assert who(web) == "p-1 · partner · ocmw-kortrijk"


def test_an_id_token_signed_by_another_key_is_refused(web: TestClient, issuer: FakeIssuer) -> None:
    issuer.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    answer = web.get("/auth/callback", params=issuer.authorize(start(web), CLAIMS))
    assert answer.status_code == 403 and who(web) == ""


def test_an_id_token_for_another_client_is_refused(web: TestClient, issuer: FakeIssuer) -> None:
    issuer.audience = "another-application"
    answer = web.get("/auth/callback", params=issuer.authorize(start(web), CLAIMS))
    assert answer.status_code == 403 and who(web) == ""


def test_a_callback_whose_state_is_not_this_sessions_is_refused(web: TestClient, issuer: FakeIssuer) -> None:
    params = issuer.authorize(start(web), CLAIMS)
    answer = web.get("/auth/callback", params={**params, "state": "made-up"})
    assert answer.status_code == 403 and who(web) == ""


def test_claims_without_a_wegwijs_role_or_municipality_are_refused_naming_the_claim(web: TestClient,
                                                                                    issuer: FakeIssuer) -> None:
    answer = web.get("/auth/callback", params=issuer.authorize(start(web), {"sub": "x"}))
    assert answer.status_code == 403 and "wegwijs_role" in answer.text and who(web) == ""
    claims = {"sub": "x", "wegwijs_role": "policy"}
    answer = web.get("/auth/callback", params=issuer.authorize(start(web), claims))
    assert answer.status_code == 403 and "wegwijs_municipality" in answer.text
    answer = web.get("/auth/callback", params=issuer.authorize(start(web), {"sub": "x", "wegwijs_role": "system"}))
    assert answer.status_code == 403


def test_a_long_subject_becomes_a_pseudonymous_staff_id_the_services_accept(web: TestClient,
                                                                            issuer: FakeIssuer) -> None:
    claims = {**CLAIMS, "sub": "x" * 200}
    assert web.get("/auth/callback", params=issuer.authorize(start(web), claims)).status_code == 303
    assert re.fullmatch(r"oidc-[0-9a-f]{32} · onthaal · kortrijk", who(web))


def test_without_an_issuer_the_oidc_routes_do_not_exist(dev: TestClient) -> None:
    assert dev.get("/signin/oidc").status_code == 404
    assert dev.get("/auth/callback", params={"code": "c", "state": "s"}).status_code == 404


def test_a_code_the_issuer_refuses_signs_nobody_in(web: TestClient, issuer: FakeIssuer) -> None:
    """The issuer refuses the exchange (here: the PKCE verifier does not match the challenge it recorded)."""
    params = issuer.authorize(start(web), CLAIMS)
    issuer.codes[params["code"]]["request"]["code_challenge"] = "A" * 43
    answer = web.get("/auth/callback", params=params)
    assert answer.status_code == 403 and "invalid_grant" in answer.text and who(web) == ""
