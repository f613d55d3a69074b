"""Sessions, CSRF, the Content-Security-Policy and the development sign-in's flag, in-process (no service needed)."""
from __future__ import annotations

import base64
import re

import jwt
from starlette.routing import Route
from starlette.testclient import TestClient

from services.web import session


def csrf_of(client: TestClient, path: str = "/dev/signin") -> str:
    page = client.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def sign_in(client: TestClient, **fields: str) -> object:
    return client.post("/dev/signin", data={"csrf": csrf_of(client), **fields})


def test_the_dev_signin_is_refused_with_404_without_its_flag(prod: TestClient) -> None:
    assert prod.get("/dev/signin").status_code == 404
    assert prod.post("/dev/signin", data={"role": "admin", "municipality": "kortrijk"}).status_code == 404
    assert "/dev/signin" not in prod.get("/signin").text


def test_dev_signin_makes_a_session_in_an_httponly_samesite_cookie(dev: TestClient) -> None:
    answer = sign_in(dev, role="front-office", municipality="kortrijk", office="huis", staff_id="bw-1")
    assert answer.status_code == 303 and answer.headers["location"] == "/front"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie  # plain HTTP on loopback
    content = base64.b64decode(answer.cookies["wegwijs"].split(".")[0] + "==").decode()
    assert '"staff_id": "bw-1"' in content and "eyJ" not in content  # the person, and no bearer token


def test_a_post_without_its_csrf_token_is_refused_with_403(dev: TestClient) -> None:
    csrf_of(dev)
    assert dev.post("/dev/signin", data={"role": "admin", "municipality": "kortrijk"}).status_code == 403
    assert dev.post("/dev/signin", data={"role": "admin", "municipality": "kortrijk",
                                         "csrf": "forged"}).status_code == 403
    sign_in(dev, role="front-office", municipality="kortrijk")
    assert dev.post("/signout", data={}).status_code == 403
    assert dev.post("/language", data={"lang": "fr"}).status_code == 403


def test_every_post_route_checks_the_csrf_token(dev: TestClient) -> None:
    """Each route that takes a POST refuses one without the token (before doing anything else)."""
    sign_in(dev, role="admin", municipality="kortrijk", office="huis")
    posts = [r for r in dev.app.routes if isinstance(r, Route) and "POST" in (r.methods or ())]
    assert len(posts) >= 3
    for route in posts:
        path = re.sub(r"\{[^}]+\}", "x", route.path)
        assert dev.post(path, data={"anything": "1"}).status_code == 403, path


def test_a_signed_in_session_gets_a_new_csrf_token(dev: TestClient) -> None:
    before = csrf_of(dev)
    sign_in(dev, role="partner", partner="ocmw-kortrijk")
    assert csrf_of(dev, "/signin") != before


def test_every_page_carries_a_strict_csp_and_no_inline_script(dev: TestClient) -> None:
    for path in ("/signin", "/dev/signin", "/nowhere"):
        answer = dev.get(path)
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["cache-control"] == "no-store"
        assert not re.search(r"<script(?![^>]*\bsrc=)", answer.text), path  # every script has a src
        assert " style=" not in answer.text and "<style" not in answer.text


def test_the_token_minted_for_a_call_is_the_persons_and_short(dev: TestClient) -> None:
    sign_in(dev, role="partner", partner="ocmw-kortrijk", staff_id="partner-7")
    token = session.call_token(dev.app.state.web.issuer,
                               session.Person("partner-7", "partner", partner="ocmw-kortrijk", expires=9e9))
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["sub"], claims["role"], claims["partner"]) == ("partner-7", "partner", "ocmw-kortrijk")
    assert claims["exp"] - claims["iat"] <= session.CALL_TOKEN_SECONDS


def test_dev_signin_errors_stand_beside_their_fields_and_keep_what_was_typed(dev: TestClient) -> None:
    answer = sign_in(dev, role="partner", partner="", staff_id="x" * 65, office="kantoor-3")
    assert answer.status_code == 422
    assert 'id="partner-error"' in answer.text and 'value="kantoor-3"' in answer.text
    answer = sign_in(dev, role="front-office", municipality="kortrijk", staff_id="x" * 65)
    assert answer.status_code == 422 and 'id="staff_id-error"' in answer.text and "65 characters" in answer.text
    assert 'value="' + "x" * 65 + '"' in answer.text


def test_unsigned_people_are_sent_to_sign_in_and_wrong_roles_refused(dev: TestClient) -> None:
    assert dev.get("/front").headers["location"] == "/signin"
    sign_in(dev, role="partner", partner="ocmw-kortrijk")
    assert dev.get("/front").status_code == 403


def test_dutch_by_default_french_and_english_by_the_switch(dev: TestClient) -> None:
    assert '<html lang="nl">' in dev.get("/signin").text and "Aanmelden" in dev.get("/signin").text
    csrf = csrf_of(dev, "/signin")
    assert dev.post("/language", data={"csrf": csrf, "lang": "fr", "next": "/signin"}).headers["location"] == "/signin"
    assert '<html lang="fr">' in dev.get("/signin").text and "Se connecter" in dev.get("/signin").text
    dev.post("/language", data={"csrf": csrf, "lang": "en", "next": "//elsewhere.example.org"})
    assert "Sign in" in dev.get("/signin").text


def test_over_tls_the_session_cookie_is_secure_and_hsts_is_sent(web_secrets) -> None:
    from services.web.tests.conftest import make_app

    app = make_app(web_secrets, dev_signin=True, tls_cert_file=web_secrets / "server.pem",
                   tls_key_file=web_secrets / "server-key.pem")
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    answer = client.get("/signin")
    assert "secure" in answer.headers["set-cookie"].lower()
    assert answer.headers["strict-transport-security"].startswith("max-age=")
