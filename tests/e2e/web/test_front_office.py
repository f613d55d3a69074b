"""The bridge worker's front office in Chromium, as they use it: register a question with the keyboard alone, refer
it through the catalogue search preset from the question (consent checked), go along, record a gap; errors beside
their fields with what was typed kept; another municipality's question unreachable by URL; a form without its CSRF
token refused; the Content-Security-Policy as Chromium enforces it (a context that does not bypass it): the pages and
their htmx partial updates work with only this origin's scripts and styles, and an inline script never runs.
Desktop and phone."""
from __future__ import annotations

import asyncio
import re
import time

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import HUIS
from tests.e2e.scan import EMAILS, PHONES
from tests.e2e.web.conftest import BRUGGE_OFFICE, DESKTOP, PARTNER, PHONE, Stack, Visit

pytestmark = pytest.mark.e2e


async def tab_to(page: Page, selector: str, most: int = 40) -> None:
    """Press Tab until `selector` has the focus (the keyboard alone)."""
    for _ in range(most):
        if await page.evaluate(f"document.activeElement && document.activeElement.matches({selector!r})"):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus")


async def register_by_keyboard(page: Page) -> float:
    """Channel WhatsApp, theme Wonen and language Arabic found by typing, interpreter, barrier Taal; Enter."""
    started = time.perf_counter()
    await page.focus("#channel")
    await page.keyboard.type("WhatsApp")
    await page.keyboard.press("Tab")
    await page.keyboard.type("wonen")
    await page.locator("#themes-housing").wait_for()
    await tab_to(page, "#themes-housing")
    await page.keyboard.press("Space")
    await tab_to(page, "#client_languages_q")
    await page.keyboard.type("arab")
    await page.locator("#client_languages-ar").wait_for()
    await tab_to(page, "#client_languages-ar")
    await page.keyboard.press("Space")
    await tab_to(page, "#interpreter_needed")
    await page.keyboard.press("Space")
    await tab_to(page, "#barriers-language")
    await page.keyboard.press("Space")
    await tab_to(page, "#register button[type=submit]")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/front/questions/q-[0-9a-f-]+$"))
    return time.perf_counter() - started


async def until(page: Page, act, done, seconds: float = 25) -> None:
    """Repeat `act` while `done()` is false: the referral service learns questions and consent from Kafka."""
    for _ in range(int(seconds / 0.5)):
        await act()
        if await done():
            return
        await asyncio.sleep(0.5)
    raise AssertionError("never done")


async def test_a_bridge_worker_registers_refers_and_goes_along(visit, web_stack: Stack) -> None:
    worker = await visit("worker")
    page = worker.page
    await worker.sign_in("front-office", "kortrijk", office=HUIS, staff_id="bw-e2e-web")
    await expect(page.locator("h1")).to_have_text("Vragen in Huis van de Kortrijkzaan")
    await worker.check("today")
    await page.get_by_role("link", name="Nieuwe vraag").first.click()
    await worker.check("new-question")
    seconds = await register_by_keyboard(page)
    assert seconds < 30
    await expect(page.locator(".notice")).to_have_text("De vraag is geregistreerd.")
    await expect(page.locator(".facts")).to_contain_text("Wonen")
    await expect(page.locator(".history")).to_contain_text("Vraag geregistreerd")
    await expect(page.locator(".history")).to_contain_text("العربية")
    await worker.check("question")
    question_url = page.url

    await page.get_by_role("link", name="Zoek een dienst").click()
    await expect(page.locator("#theme")).to_have_value("housing")
    await expect(page.locator("#language")).to_have_value("ar")
    await expect(page.locator("#open_now")).to_be_checked()
    await expect(page.locator("#free")).to_be_checked()
    hit = page.locator("article", has_text="Woonwinkel Kortrijk")
    await expect(hit).to_be_visible()
    await worker.check("refer")
    await hit.locator("input[name=note]").fill("zoekt een sociale huurwoning")

    async def send() -> None:
        await page.locator("article", has_text="Woonwinkel Kortrijk").locator("button[type=submit]").click()
        await page.wait_for_load_state()

    async def refused_for_consent() -> bool:
        return await page.locator("#consent-error").count() > 0

    await until(page, send, refused_for_consent)  # no consent recorded: the referral service refuses
    await expect(page.locator("article", has_text="Woonwinkel Kortrijk").locator("input[name=note]")) \
        .to_have_value("zoekt een sociale huurwoning")  # nothing typed is lost
    await worker.check("refer-refused")
    await page.get_by_role("button", name="De cliënt stemt in met delen").click()
    await expect(page.locator("#consent .notice")).to_be_visible()

    async def referred() -> bool:
        return page.url == question_url

    await until(page, send, referred)
    await expect(page.locator(".notice")).to_have_text("De doorverwijzing is naar de partner gestuurd.")
    await expect(page.locator("table")).to_contain_text("aangevraagd")

    await page.fill("#service", "Woonwinkel Kortrijk")
    await page.fill("#minutes", "45")
    await page.get_by_role("button", name="Meegaan vastleggen").click()
    await expect(page.locator(".notice")).to_have_text("Het meegaan is vastgelegd.")
    await expect(page.locator(".history")).to_contain_text("Cliënt begeleid")
    await expect(page.locator(".history")).to_contain_text("45")

    await page.fill("#reason", "enkel bereikbaar via +32 470 98 76 54")
    await page.select_option("#reason_code", "no-capacity")
    await page.get_by_role("button", name="Hiaat vastleggen").click()
    await expect(page.locator("#reason-error")).to_be_visible()  # screened: contact details never in a question
    await expect(page.locator("#reason")).to_have_value("enkel bereikbaar via +32 470 98 76 54")
    await expect(page.locator("#reason_code")).to_have_value("no-capacity")
    await worker.check("gap-refused")

    await page.get_by_role("link", name=re.compile("Cliënt ")).click()
    await expect(page.locator("#referral_sharing")).to_be_checked()
    await worker.check("client")

    question_id = question_url.rsplit("/", 1)[1]
    [referral] = (await web_stack.client.referral_call("ListReferralsOfQuestion", question_id=question_id)).referrals
    await the_partner_accepts_and_completes(await visit("partner"), referral.referral_id)
    await page.goto(question_url)
    await expect(page.locator("table")).to_contain_text("afgerond")
    await expect(page.locator("table")).to_contain_text("geholpen · ging alleen")


async def the_partner_accepts_and_completes(partner, referral_id: str) -> None:
    """The partner's inbox: the referral under "aangevraagd"; accept, start, complete (the client went alone)."""
    page = partner.page
    await partner.go("/dev/signin")  # the development sign-in offers the catalogues' organisations
    await expect(page.locator(f"#partners option[value='{PARTNER}']")).to_have_text("OCMW Kortrijk (e2e) — Kortrijk")
    await partner.sign_in("partner", partner=PARTNER, staff_id="partner-e2e")
    await expect(page.locator("h1")).to_have_text("Doorverwijzingen naar OCMW Kortrijk (e2e)")  # a name, no id
    card = page.locator(f"article[aria-labelledby='r-{referral_id}']")
    await expect(card).to_contain_text("Wonen")
    await expect(card).to_contain_text("Woonwinkel Kortrijk · OCMW Kortrijk (e2e)")
    await partner.check("inbox-requested")
    await card.get_by_role("button", name="Aanvaarden").click()
    await expect(page.locator(".notice")).to_have_text("De doorverwijzing is aanvaard.")
    await expect(page.locator(".tabs [aria-current=page]")).to_have_text("aanvaard")
    await page.locator(f"article[aria-labelledby='r-{referral_id}']").get_by_role("button", name="Starten").click()
    await expect(page.locator(".tabs [aria-current=page]")).to_have_text("bezig")
    card = page.locator(f"article[aria-labelledby='r-{referral_id}']")
    await card.get_by_label("Notitie voor de toeleider (geen namen of contactgegevens)").first.fill(
        "bel +32 470 11 22 33")
    await card.locator("select[name=reason]").first.select_option("waiting-for-documents")
    await card.get_by_role("button", name="Pauzeren").click()
    await expect(page.locator(".error").first).to_contain_text("bevat een telefoonnummer")  # screened, translated
    card = page.locator(f"article[aria-labelledby='r-{referral_id}']")
    await expect(card.locator("input[name=note]").first).to_have_value("bel +32 470 11 22 33")
    await expect(card.locator("select[name=reason]").first).to_have_value("waiting-for-documents")
    await expect(page.locator(".tabs [aria-current=page]")).to_have_text("bezig")  # nothing changed
    await partner.check("inbox-refused")
    card = page.locator(f"article[aria-labelledby='r-{referral_id}']")
    await card.locator("select[name=outcome]").select_option("got-help")
    await card.get_by_label("De cliënt kwam zonder de toeleider").check()
    await card.get_by_role("button", name="Afronden").click()
    await expect(page.locator(".notice")).to_have_text("De doorverwijzing is afgerond.")
    await expect(page.locator(f"article[aria-labelledby='r-{referral_id}']")).to_contain_text("geholpen · ging alleen")
    await partner.check("inbox-completed")


async def test_another_municipalitys_question_is_not_found_by_url(visit, web_stack: Stack) -> None:
    kortrijk = web_stack.client
    made = await kortrijk.register_question(office_id=HUIS, channel="walk-in", themes=["work"],
                                            client_languages=["uk"], language_used="uk")
    brugge = await visit("brugge")
    await brugge.sign_in("front-office", "brugge", office=BRUGGE_OFFICE)
    answer = await brugge.go(f"/front/questions/{made.question_id}")
    assert answer.status == 404
    await expect(brugge.page.locator("h1")).to_have_text("Niet gevonden")
    await brugge.check("not-found")
    assert (await brugge.go(f"/front/clients/{made.client_id}")).status == 404
    assert (await brugge.go(f"/front/questions/{made.question_id}/refer")).status == 404
    mine = await visit("kortrijk")
    await mine.sign_in("front-office", "kortrijk", office=HUIS)
    assert (await mine.go(f"/front/questions/{made.question_id}")).status == 200


async def test_a_clients_page_keeps_contact_details_and_notes_and_an_admin_erases_them(visit,
                                                                                        web_stack: Stack) -> None:
    """Contact details and notes for front-office staff (sealed by intake: the session's scan finds them nowhere in
    plaintext), erasure only for an admin."""
    made = await web_stack.client.register_question(office_id=HUIS, channel="phone", themes=["health"],
                                                    client_languages=["so"], language_used="nl")
    worker = await visit("worker")
    page = worker.page
    await worker.sign_in("front-office", "kortrijk", office=HUIS)
    await worker.go(f"/front/clients/{made.client_id}")
    await page.fill("#phone", PHONES[2])
    await page.fill("#email", EMAILS[0])
    await page.get_by_role("button", name="Contactgegevens bewaren").click()
    await expect(page.locator(".notice")).to_have_text("De contactgegevens zijn vastgelegd.")
    await expect(page.locator("#phone")).to_have_value(PHONES[2])
    await page.fill("#text", "Amina Haddad woont tijdelijk bij haar zus.")
    await page.get_by_role("button", name="Notitie toevoegen").click()
    await expect(page.locator("#notes-h + ul")).to_contain_text("Amina Haddad woont tijdelijk bij haar zus.")
    assert await page.get_by_role("button", name="De gegevens van deze cliënt wissen").count() == 0
    refused = await page.request.post(f"{web_stack.url}/front/clients/{made.client_id}/erase",
                                      form={"csrf": await page.locator("input[name=csrf]").first.input_value()})
    assert refused.status == 403
    await worker.check("client-details")

    admin = await visit("admin")
    await admin.sign_in("admin", "kortrijk", office=HUIS)
    await admin.go(f"/front/clients/{made.client_id}")
    await expect(admin.page.locator("#email")).to_have_value(EMAILS[0])
    await admin.page.get_by_role("button", name="De gegevens van deze cliënt wissen").click()
    await expect(admin.page.locator(".notice").first).to_have_text("De gegevens van de cliënt zijn gewist.")
    await expect(admin.page.locator("main")).to_contain_text("voorgoed gewist")
    assert await admin.page.locator("#phone").count() == 0
    await admin.check("client-erased")


async def test_a_form_posted_without_its_csrf_token_is_refused(visit, web_stack: Stack) -> None:
    worker = await visit("worker")
    await worker.sign_in("front-office", "kortrijk", office=HUIS)
    await worker.go("/front/signals/new")
    await worker.page.fill("#text", "De wachtlijst voor huisvesting is te lang.")
    await worker.page.evaluate("document.querySelectorAll('main input[name=csrf]').forEach(e => e.remove())")
    await worker.page.get_by_role("button", name="Signaal melden").click()
    await expect(worker.page.locator("h1")).to_have_text("Niet toegestaan")
    refused = await worker.page.request.post(web_stack.url + "/front/questions", form={"channel": "walk-in"})
    assert refused.status == 403
    await worker.go("/front/signals/new")  # with its token, the same signal is reported
    await worker.page.fill("#themes_q", "wonen")
    await worker.page.locator("#themes-housing").check()
    await worker.page.locator("#barriers-waiting-list").check()
    await worker.page.fill("#text", "De wachtlijst voor huisvesting is te lang.")
    await worker.page.get_by_role("button", name="Signaal melden").click()
    await expect(worker.page.locator(".notice")).to_have_text("Het signaal is aan het beleid gemeld.")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_pages_work_under_the_csp_and_an_inline_script_never_runs(browser: Browser, web_stack: Stack,
                                                                         size: dict[str, int]) -> None:
    context = await browser.new_context(viewport=size)
    try:
        page = await context.new_page()
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        visit = Visit(context, page, web_stack.url, "csp")
        await visit.sign_in("front-office", "kortrijk", office=HUIS)
        await visit.go("/front/questions/new")
        await page.fill("#themes_q", "gezondheid")  # htmx (served by the app itself) fetches the matches
        await expect(page.locator("#themes-health")).to_be_visible()
        await page.fill("#client_languages_q", "türk")
        await expect(page.locator("#client_languages-tr")).to_be_visible()
        assert await page.evaluate("typeof htmx") == "object"
        await page.evaluate("""() => { const s = document.createElement('script');
                                       s.textContent = 'window.inlineRan = true'; document.body.append(s); }""")
        await page.evaluate("""() => { const d = document.createElement('div');
                                       d.setAttribute('style', 'color: red'); d.id = 'styled';
                                       document.body.append(d); }""")
        assert await page.evaluate("window.inlineRan === undefined")
        assert await page.evaluate("getComputedStyle(document.getElementById('styled')).color") != "rgb(255, 0, 0)"
        assert len(refused) == 2, refused  # exactly the two planted above, nothing of the pages themselves
        for path in ("/front", "/front/signals/new", "/signin"):
            await visit.go(path)
        assert len(refused) == 2, refused
    finally:
        await context.close()
