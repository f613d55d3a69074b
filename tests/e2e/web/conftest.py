"""The four services and the web application as processes on the real stack (mutual TLS between the web
application and the services, tokens minted by the web application's development sign-in), and Debian's Chromium
driven by Playwright (never a downloaded browser). Screenshots of every page go to .local/artefacts/web/."""
from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from contracts.envelope import Role
from contracts.proto import catalogue_pb2 as cat
from services.client import Client
from services.plumbing import devsecrets
from services.plumbing.settings import Settings
from tests.e2e.conftest import HUIS, LOGS, ROOT, SESSION, Tokens, client_credentials, free_port, running, service_env

ARTEFACTS = ROOT / ".local" / "artefacts" / "web"
AXE = ROOT / ".local" / "web" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PARTNER = "ocmw-kortrijk-e2e"
BRUGGE_OFFICE = "brugse-poort"
expect.set_options(timeout=15_000)  # a page behind four services on a shared machine: 5 s is too short under load


@dataclass
class Stack:
    url: str
    client: Client  # as a Kortrijk front-office worker; `.as_(token)` for others
    token: Tokens
    service_id: str
    settings: Settings


def _web_env(settings: Settings, ports: dict[str, int], secrets: Path, port: int) -> dict[str, str]:
    env = service_env(settings, ports, secrets)
    env.update({"WEGWIJS_WEB_PORT": str(port), "WEGWIJS_WEB_DEV_SIGNIN": "true",
                "WEGWIJS_WEB_SESSION_SECRET_FILE": str(secrets / devsecrets.WEB_SESSION_SECRET),
                "WEGWIJS_JWT_PRIVATE_KEY_FILE": str(secrets / "jwt-private.pem"),
                "WEGWIJS_TLS_CA_FILE": str(secrets / "ca.pem"),
                "WEGWIJS_TLS_CLIENT_CERT_FILE": str(secrets / "client.pem"),
                "WEGWIJS_TLS_CLIENT_KEY_FILE": str(secrets / "client-key.pem")})
    for name in ("WEGWIJS_WEB_OIDC_ISSUER", "WEGWIJS_WEB_TLS_CERT_FILE", "WEGWIJS_WEB_TLS_KEY_FILE"):
        env.pop(name, None)
    return env


async def _web_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None:
            pytest.fail(f"the web application exited at start; see {LOGS}")
        await asyncio.sleep(0.2)
    pytest.fail("the web application did not answer within 30 s")


async def _catalogue(client: Client) -> str:
    """A partner organisation with a free housing service in Arabic and Dutch, open every day (all day)."""
    admin = client.as_(client.tokens(Role.CATALOGUE_ADMIN, "kortrijk"))  # type: ignore[attr-defined]
    await admin.catalogue_call("RegisterOrganization", organization_id=PARTNER,
                               organization=cat.Organization(name="OCMW Kortrijk (e2e)"))
    every_day = cat.Schedule(freq="WEEKLY", byday=["MO", "TU", "WE", "TH", "FR", "SA", "SU"], opens_at="00:00",
                             closes_at="23:59")
    made = await admin.catalogue_call("RegisterService", service=cat.Service(
        organization_id=PARTNER, name="Woonwinkel Kortrijk", description="Hulp bij het zoeken van een woning.",
        themes=["housing"], languages=["ar", "nl"], cost_options=[cat.CostOption(amount=0)],
        schedules=[every_day]))
    return made.id


@pytest.fixture(scope="module")
async def web_stack(stack: Settings, secrets: Path, token: Tokens, request: pytest.FixtureRequest
                    ) -> AsyncIterator[Stack]:
    """Once per test module: the services, a Brugge office beside Kortrijk's, the catalogue, and the web app."""
    tag = uuid.uuid4().hex[:10]
    settings = stack.model_copy(update={"topic_prefix": f"t{tag}.", "db_prefix": f"t{tag}_"})
    SESSION.append(settings)
    name = request.module.__name__.rsplit(".", 1)[-1]
    async with running(("intake", "referral", "catalogue", "insights"), settings, secrets, name) as ports:
        address = {n: f"127.0.0.1:{p}" for n, p in ports.items()}
        client = Client(address["intake"], address["insights"], token(Role.FRONT_OFFICE, "kortrijk"),
                        client_credentials(secrets), referral=address["referral"], catalogue=address["catalogue"])
        client.tokens = token  # type: ignore[attr-defined]
        brugge = client.as_(token(Role.FRONT_OFFICE, "brugge"))
        await brugge.intake_call("OpenOffice", office_id=BRUGGE_OFFICE, name="Brugse Poort")
        service_id = await _catalogue(client)
        port = free_port()
        log = open(LOGS / f"{name}.web.log", "w")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen([sys.executable, "-m", "services.web"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                env=_web_env(settings, ports, secrets, port))
        url = f"http://127.0.0.1:{port}"
        try:
            await _web_up(url, proc)
            yield Stack(url, client, token, service_id, settings)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
            await client.close()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is installed by `make install` (deploy/local/browser)"
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        await launched.close()


class Visit:
    """One person's browser: signs in through the development page, keeps screenshots, checks each page with axe."""

    def __init__(self, context: BrowserContext, page: Page, url: str, label: str) -> None:
        self.context, self.page, self.url, self.label = context, page, url, label
        self.shots = 0
        self.console: list[str] = []
        page.on("console", lambda m: self.console.append(m.text) if m.type in ("error", "warning") else None)

    async def go(self, path: str) -> Any:
        return await self.page.goto(self.url + path)

    async def sign_in(self, role: str, municipality: str = "", partner: str = "", office: str = "",
                      staff_id: str = "") -> None:
        await self.go("/dev/signin")
        await self.page.select_option("#role", role)
        if municipality:
            await self.page.select_option("#municipality", municipality)
        for field, value in (("partner", partner), ("office", office), ("staff_id", staff_id)):
            if value:
                await self.page.fill(f"#{field}", value)
        await self.page.click("form.stack button[type=submit]")
        await self.page.wait_for_load_state()

    async def check(self, name: str) -> list[dict[str, Any]]:
        """Screenshot of the page as it is, and axe-core's serious or critical violations (asserted empty)."""
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        await self.page.screenshot(path=str(ARTEFACTS / f"{self.label}-{self.shots:02d}-{name}.png"), full_page=True)
        await self.page.add_script_tag(path=str(AXE))
        result = await self.page.evaluate("async () => JSON.stringify((await axe.run(document, "
                                          "{resultTypes: ['violations']})).violations)")
        bad = [v for v in json.loads(result) if v["impact"] in ("serious", "critical")]
        assert not bad, f"{name}: " + "; ".join(f"{v['id']}: {v['help']} ({len(v['nodes'])} × "
                                                f"{v['nodes'][0]['target']})" for v in bad)
        return bad


@pytest.fixture(params=["desktop", "phone"])
async def visit(request: pytest.FixtureRequest, browser: Browser, web_stack: Stack) -> AsyncIterator[Any]:
    """visit(label) → a fresh browser context at desktop or phone size (390 × 844); the axe script is injected by
    the test, so the contexts bypass the CSP (test_csp checks the CSP in a context that does not)."""
    size = PHONE if request.param == "phone" else DESKTOP
    contexts: list[BrowserContext] = []

    async def open_one(label: str) -> Visit:
        context = await browser.new_context(viewport=size, bypass_csp=True, locale="nl-BE",
                                            is_mobile=request.param == "phone", has_touch=request.param == "phone")
        contexts.append(context)
        test = request.node.name.split("[")[0].removeprefix("test_")
        return Visit(context, await context.new_page(), web_stack.url, f"{test}-{request.param}-{label}")

    open_one.size = request.param  # type: ignore[attr-defined]
    yield open_one
    for context in contexts:
        await context.close()

