"""The front office (front-office role; an admin acts for the municipality chosen at sign-in): today's questions at
my office, registering a question with the keyboard alone, a question's page with its history and actions, referring
through a catalogue search preset from the question, a client's page, signals to policy."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from services.web import labels, render, security, session, words
from services.web.pages.common import call, checked, found, listed, local, today, values
from services.web.pages.history import registered, step
from services.web.web import backend, requires, tenant

FRONT = ("front-office", "admin")
QUESTION_FIELDS = {"client_id", "channel", "themes", "client_languages", "language_used", "interpreter_needed",
                   "urgent", "barriers", "office_id", "occurred_at"}


def _who(request: Request) -> session.Person:
    who = session.person(request)
    assert who is not None
    return who


def _flash(request: Request, message: str) -> None:
    request.session["notice"] = message


def _notice(request: Request) -> str | None:
    return request.session.pop("notice", None)


@requires(*FRONT)
async def home(request: Request) -> Response:
    """Today's questions at the office the bridge worker works at (chosen once per session)."""
    who = _who(request)
    if not who.office:
        return render.page(request, "front/office.html", values={})
    client = backend(request)
    day = request.query_params.get("day") or today()
    (office, fault), (page, refused) = await asyncio.gather(  # one wait for both
        call(request, client.intake_call("GetOffice", tenant=tenant(request), office_id=who.office), {"office_id"}),
        call(request, client.intake_call("ListOfficeQuestions", tenant=tenant(request), office_id=who.office,
                                         day=day, page_size=100), {"day"}))
    if office is None:
        return render.page(request, "front/office.html", status=422, values={"office_id": who.office},
                           errors=fault.fields, general=fault.general)
    return render.page(request, "front/today.html", office=office, day=day, local=local, notice=_notice(request),
                       questions=list(page.questions) if page else [], errors=refused.fields, general=refused.general)


@requires(*FRONT)
async def choose_office(request: Request) -> Response:
    data = await security.form(request)
    office_id = str(data.get("office_id") or "").strip()
    office, fault = await call(request, backend(request).intake_call("GetOffice", tenant=tenant(request),
                                                                     office_id=office_id), {"office_id"})
    if office is None:
        return render.page(request, "front/office.html", status=422, values={"office_id": office_id},
                           errors=fault.fields, general=fault.general)
    session.set_office(request, office.office_id)
    return RedirectResponse("/front", status_code=303)


def _question_form(request: Request, status: int = 200, **context: Any) -> Response:
    return render.page(request, "front/new_question.html", status=status, **context)


@requires(*FRONT)
async def new_question(request: Request) -> Response:
    if not _who(request).office:
        return RedirectResponse("/front", status_code=303)
    defaults = {"channel": "walk-in", "language_used": "nl", "client_id": request.query_params.get("client_id", ""),
                "themes": [], "client_languages": [], "barriers": []}
    return _question_form(request, values=defaults)


@requires(*FRONT)
async def register(request: Request) -> Response:
    data = await security.form(request)
    who = _who(request)
    fields = dict(tenant=tenant(request), office_id=who.office or "", client_id=str(data.get("client_id") or "").strip(),
                  channel=str(data.get("channel") or ""), themes=listed(data, "themes"),
                  client_languages=listed(data, "client_languages"), language_used=str(data.get("language_used") or ""),
                  interpreter_needed=checked(data, "interpreter_needed"), urgent=checked(data, "urgent"),
                  barriers=listed(data, "barriers"))
    done, fault = await call(request, backend(request).intake_call("RegisterQuestion", **fields), QUESTION_FIELDS)
    if done is None:
        return _question_form(request, 422, values=values(data) | {k: fields[k] for k in
                                                                  ("themes", "client_languages", "barriers")},
                              errors=fault.fields, general=fault.general)
    _flash(request, render.language(request).gettext("The question is registered."))
    return RedirectResponse(f"/front/questions/{done.question_id}", status_code=303)


def _picked(request: Request, name: str, options: tuple[labels.Option, ...]) -> Response:
    """The htmx answer of a picker: what is ticked already, then what matches the typed words."""
    ticked = [o for o in options if o.code in set(request.query_params.getlist(name))]
    query = request.query_params.get(f"{name}_q", "")
    more = [o for o in labels.matching(options, query) if o not in ticked]
    return render.page(request, "parts/picked.html", name=name, ticked=ticked, more=more, query=query)


@requires(*FRONT)
async def pick_themes(request: Request) -> Response:
    return _picked(request, "themes", labels.themes(render.language(request).code))


@requires(*FRONT)
async def pick_languages(request: Request) -> Response:
    return _picked(request, "client_languages", labels.languages(render.language(request).code))


async def _question_page(request: Request, question_id: str, status: int = 200, **context: Any) -> Response:
    client, lang = backend(request), render.language(request)
    detail, (referrals, _) = await asyncio.gather(  # one wait for both
        found(request, client.intake_call("GetQuestion", tenant=tenant(request), question_id=question_id)),
        call(request, client.referral_call("ListReferralsOfQuestion", tenant=tenant(request),
                                           question_id=question_id, page_size=100)))
    q = detail.question
    return render.page(request, "front/question.html", status=status, q=q, local=local, words=words,
                       history=[step(e, lang) for e in detail.history],
                       referrals=list(referrals.referrals) if referrals else [], notice=_notice(request), **context)


@requires(*FRONT)
async def question(request: Request) -> Response:
    return await _question_page(request, request.path_params["question_id"])


def _action_fields(action: str, data: Any) -> tuple[str, dict[str, Any]]:
    """The intake rpc of an action on a question and its fields from the form."""
    text = lambda name: str(data.get(name) or "").strip()  # noqa: E731
    if action == "clarify":
        return "ClarifyQuestion", {"themes": listed(data, "themes"), "barriers": listed(data, "barriers")}
    if action == "inform":
        return "InformClient", {"themes": listed(data, "themes"), "letter_explained": checked(data, "letter_explained")}
    if action == "accompany":
        minutes = text("minutes")  # not a whole number: 0, which the service refuses naming the field
        return "AccompanyClient", {"service": text("service"), "minutes": int(minutes) if minutes.isdigit() else 0}
    if action == "gap":
        return "RecordGap", {"theme": text("theme"), "reason_code": text("reason_code"), "reason": text("reason")}
    if action == "close":
        return "CloseQuestion", {"outcome": text("outcome")}
    if action == "reopen":
        return "ReopenQuestion", {"reason": text("reason")}
    raise HTTPException(404)


DONE = {"clarify": words.N_("The question is clarified."), "inform": words.N_("The information is recorded."),
        "accompany": words.N_("Going along is recorded."), "gap": words.N_("The gap is recorded."),
        "close": words.N_("The question is closed."), "reopen": words.N_("The question is open again.")}


@requires(*FRONT)
async def act(request: Request) -> Response:
    """One action on a question; on a refusal the page comes back with the message beside the field and the
    values as typed."""
    data = await security.form(request)
    question_id, action = request.path_params["question_id"], request.path_params["action"]
    rpc, fields = _action_fields(action, data)
    done, fault = await call(request, backend(request).intake_call(rpc, tenant=tenant(request),
                                                                   question_id=question_id, **fields), set(fields))
    if done is None:
        return await _question_page(request, question_id, 422, failed=action, values=values(data),
                                    errors=fault.fields, general=fault.general)
    _flash(request, render.language(request).gettext(DONE[action]))
    return RedirectResponse(f"/front/questions/{question_id}", status_code=303)


def _search_fields(params: dict[str, Any], moment: str) -> dict[str, Any]:
    return {"theme": params.get("theme", ""), "language": params.get("language", ""),
            "include_interpretation": bool(params.get("interpretation")), "free_only": bool(params.get("free")),
            "open_at": moment if params.get("open_now") else "", "page_size": 20}


async def _refer_page(request: Request, question_id: str, params: dict[str, Any], status: int = 200,
                      **context: Any) -> Response:
    client = backend(request)
    detail = await found(request, client.intake_call("GetQuestion", tenant=tenant(request), question_id=question_id))
    facts = registered(detail.history)
    if not params.get("searched"):  # the preset: the question's main theme, the client's language, open now, free
        languages = facts.get("client_languages") or [""]
        params = {"theme": detail.question.themes[0] if detail.question.themes else "",
                  "language": languages[0], "open_now": "on", "free": "on", **params}
    moment = datetime.now(UTC).isoformat(timespec="seconds")
    hits, fault = await call(request, client.catalogue_call("SearchServices", tenant=tenant(request),
                                                            **_search_fields(params, moment)),
                             {"theme", "language", "open_at"})
    person, _ = await call(request, client.intake_call("GetClient", tenant=tenant(request),
                                                       client_id=detail.question.client_id))
    errors = {**fault.fields, **context.pop("errors", {})}
    return render.page(request, "front/refer.html", status=status, q=detail.question, search=params,
                       client_languages=facts.get("client_languages", []), hits=list(hits.hits) if hits else [],
                       total=hits.total if hits else 0, consent=person, words=words,
                       errors=errors, general=[*fault.general, *context.pop("general", [])], **context)


@requires(*FRONT)
async def refer_search(request: Request) -> Response:
    return await _refer_page(request, request.path_params["question_id"], dict(request.query_params))


@requires(*FRONT)
async def refer(request: Request) -> Response:
    data = await security.form(request)
    question_id = request.path_params["question_id"]
    fields = {k: str(data.get(k) or "").strip() for k in ("service_id", "mode", "priority", "note")}
    done, fault = await call(request, backend(request).referral_call(
        "ReferToService", tenant=tenant(request), question_id=question_id, **fields),
        {"service_id", "mode", "priority", "note", "consent"})
    if done is None:
        search = {k: str(data.get(k) or "") for k in ("theme", "language", "open_now", "free", "interpretation")}
        return await _refer_page(request, question_id, {**search, "searched": "1"}, 422, values=values(data),
                                 chosen=fields["service_id"], errors=fault.fields, general=fault.general)
    _flash(request, render.language(request).gettext("The referral is sent to the partner."))
    return RedirectResponse(f"/front/questions/{question_id}", status_code=303)


async def _client_page(request: Request, client_id: str, status: int = 200, **context: Any) -> Response:
    client = backend(request)
    person = await found(request, client.intake_call("GetClient", tenant=tenant(request), client_id=client_id))
    questions, _ = await call(request, client.intake_call("ListClientQuestions", tenant=tenant(request),
                                                          client_id=client_id, include_closed=True, page_size=100))
    return render.page(request, "front/client.html", status=status, c=person, local=local, notice=_notice(request),
                       questions=list(questions.questions) if questions else [], **context)


@requires(*FRONT)
async def client_page(request: Request) -> Response:
    return await _client_page(request, request.path_params["client_id"])


CLIENT_ACTIONS = {
    "consent": ("RecordConsent", words.N_("The consent is recorded.")),
    "contact": ("RecordContactDetails", words.N_("The contact details are recorded.")),
    "note": ("AddClientNote", words.N_("The note is added.")),
    "erase": ("EraseClient", words.N_("The client's data are erased.")),
}


def _client_fields(action: str, data: Any) -> dict[str, Any]:
    if action == "consent":
        return {k: checked(data, k) for k in ("referral_sharing", "contact_by_whatsapp", "contact_by_phone",
                                              "do_not_contact")}
    if action == "contact":
        return {k: str(data.get(k) or "").strip() for k in ("phone", "whatsapp", "email", "address")}
    if action == "note":
        return {"text": str(data.get("text") or "").strip()}
    return {}


@requires(*FRONT)
async def client_act(request: Request) -> Response:
    data = await security.form(request)
    client_id, action = request.path_params["client_id"], request.path_params["action"]
    if action not in CLIENT_ACTIONS:
        raise HTTPException(404)
    if action == "erase" and _who(request).role != "admin":
        raise HTTPException(403, "erasure is for admins")
    rpc, message = CLIENT_ACTIONS[action]
    fields = _client_fields(action, data)
    done, fault = await call(request, backend(request).intake_call(rpc, tenant=tenant(request), client_id=client_id,
                                                                   **fields), set(fields))
    if done is None:
        return await _client_page(request, client_id, 422, failed=action, values=values(data), errors=fault.fields,
                                  general=fault.general)
    _flash(request, render.language(request).gettext(message))
    back = f"/front/clients/{client_id}"
    next_page = str(data.get("next") or "")
    return RedirectResponse(next_page if next_page.startswith("/front/") else back, status_code=303)


SIGNAL_FIELDS = {"themes", "barriers", "services", "text", "office_id"}


@requires(*FRONT)
async def signal(request: Request) -> Response:
    if request.method == "GET":
        return render.page(request, "front/signal.html", values={"themes": [], "barriers": []})
    data = await security.form(request)
    fields = {"themes": listed(data, "themes"), "barriers": listed(data, "barriers"),
              "services": [s.strip() for s in str(data.get("services") or "").split(",") if s.strip()],
              "text": str(data.get("text") or "").strip()}
    done, fault = await call(request, backend(request).intake_call(
        "ReportSignal", tenant=tenant(request), office_id=_who(request).office or "", **fields), SIGNAL_FIELDS)
    if done is None:
        return render.page(request, "front/signal.html", status=422, values=values(data) | {
            "themes": fields["themes"], "barriers": fields["barriers"]}, errors=fault.fields, general=fault.general)
    _flash(request, render.language(request).gettext("The signal is reported to policy."))
    return RedirectResponse("/front", status_code=303)


routes = [
    Route("/front", home),
    Route("/front/office", choose_office, methods=["POST"]),
    Route("/front/questions/new", new_question),
    Route("/front/questions", register, methods=["POST"]),
    Route("/front/pick/themes", pick_themes),
    Route("/front/pick/languages", pick_languages),
    Route("/front/questions/{question_id}", question),
    Route("/front/questions/{question_id}/refer", refer_search),
    Route("/front/questions/{question_id}/refer", refer, methods=["POST"]),
    Route("/front/questions/{question_id}/{action}", act, methods=["POST"]),
    Route("/front/clients/{client_id}", client_page),
    Route("/front/clients/{client_id}/{action}", client_act, methods=["POST"]),
    Route("/front/signals/new", signal, methods=["GET", "POST"]),
]
