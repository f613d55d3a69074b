"""The web application built in-process for unit tests: dev secrets of the session, no service behind it (pages
that call one use a stand-in for the client, and are tested end to end in tests/e2e/web)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from services.plumbing import devsecrets
from services.plumbing.settings import Settings
from services.web.app import create_app
from services.web.config import WebSettings


@pytest.fixture(scope="session")
def web_secrets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return devsecrets.write(tmp_path_factory.mktemp("web-secrets"))


def make_app(secrets: Path, backend: object = None, **web: object):
    settings = Settings(jwt_private_key_file=secrets / "jwt-private.pem", tls_ca_file=None)
    config = WebSettings(session_secret_file=secrets / devsecrets.WEB_SESSION_SECRET, **web)
    return create_app(config, settings, backend=backend)  # type: ignore[arg-type]


def signed_in(secrets: Path, backend: object, **person: str) -> TestClient:
    """The app on `backend` (what stands in for services.client.Client), signed in on the development page."""
    client = TestClient(make_app(secrets, backend, dev_signin=True), follow_redirects=False)
    client.__enter__()
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/dev/signin").text)
    assert csrf, "the development sign-in page has its form"
    answer = client.post("/dev/signin", data={"csrf": csrf.group(1), **person})
    assert answer.status_code == 303, answer.text[:300]
    return client


@pytest.fixture
def dev(web_secrets: Path) -> TestClient:
    """The app with the development sign-in on."""
    return TestClient(make_app(web_secrets, dev_signin=True), follow_redirects=False)


@pytest.fixture
def prod(web_secrets: Path) -> TestClient:
    """The app as in production: no development sign-in."""
    return TestClient(make_app(web_secrets), follow_redirects=False)
