"""The front office (front-office role; an admin acts for the municipality chosen at sign-in): today's questions at
my office, registering a question, a question's page with its history and actions, a client's page, signals."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from services.web import render, security, session
from services.web.pages.common import call, local, today
from services.web.web import backend, requires, tenant

FRONT = ("front-office", "admin")


@requires(*FRONT)
async def home(request: Request) -> Response:
    """Today's questions at the office the bridge worker works at (chosen once per session)."""
    who = session.person(request)
    assert who is not None
    if not who.office:
        return render.page(request, "front/office.html", values={})
    client = backend(request)
    office, fault = await call(request, client.intake_call("GetOffice", tenant=tenant(request), office_id=who.office),
                               {"office_id"})
    if office is None:
        return render.page(request, "front/office.html", status=422, values={"office_id": who.office},
                           errors=fault.fields, general=fault.general)
    day = request.query_params.get("day") or today()
    page, fault = await call(request, client.intake_call("ListOfficeQuestions", tenant=tenant(request),
                                                         office_id=who.office, day=day, page_size=100), {"day"})
    return render.page(request, "front/today.html", office=office, day=day, local=local,
                       questions=list(page.questions) if page else [], errors=fault.fields, general=fault.general)


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


routes = [
    Route("/front", home),
    Route("/front/office", choose_office, methods=["POST"]),
]
