"""The web application built in-process for unit tests: dev secrets of the session, no service behind it (pages
that call one are tested end to end in tests/browser)."""
from __future__ import annotations

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


def make_app(secrets: Path, **web: object):
    settings = Settings(jwt_private_key_file=secrets / "jwt-private.pem", tls_ca_file=None)
    config = WebSettings(session_secret_file=secrets / devsecrets.WEB_SESSION_SECRET, **web)
    return create_app(config, settings)


@pytest.fixture
def dev(web_secrets: Path) -> TestClient:
    """The app with the development sign-in on."""
    return TestClient(make_app(web_secrets, dev_signin=True), follow_redirects=False)


@pytest.fixture
def prod(web_secrets: Path) -> TestClient:
    """The app as in production: no development sign-in."""
    return TestClient(make_app(web_secrets), follow_redirects=False)
