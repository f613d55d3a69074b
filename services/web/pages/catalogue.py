"""The catalogue pages (catalogue-admin and admin roles): search and read the municipality's services, upload an
Open Referral HSDS JSON file and read the import's summary, download the HSDS export (a JSON array of the objects,
asked page by page: any size). Everything through
CatalogueService as the signed-in person; refusals beside the field they name, what was typed kept."""
from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.client import hsds_objects
from services.web import render, security
from services.web.pages import common
from services.web.web import backend, requires, tenant
from services.web.words import N_

SEARCH_FIELDS = frozenset({"theme", "language", "free_only", "include_closed", "page_token"})
EXPORT_KINDS = ("organization", "service", "location")
IMPORT_KINDS = ("", "organization", "service", "location", "service_at_location")
# Codes the pages show translated: HSDS kinds and a service's status.
WORDS = (N_("organization"), N_("location"), N_("service_at_location"), N_("active"), N_("inactive"),
         N_("defunct"), N_("temporarily closed"))
MAX_UPLOAD = 32 * 1024 * 1024  # the service bounds an import by objects (5,000); this bounds what the page reads


@requires("catalogue-admin", "admin")
async def search(request: Request) -> Response:
    q = request.query_params
    values = {k: q.get(k, "") for k in ("theme", "language", "page_token")}
    values |= {k: q.get(k) == "on" for k in ("free_only", "include_closed")}
    answer, fault = await common.call(request, backend(request).catalogue_call(
        "SearchServices", theme=values["theme"], language=values["language"], free_only=values["free_only"],
        include_closed=values["include_closed"], page_token=values["page_token"], page_size=25), SEARCH_FIELDS)
    return render.page(request, "catalogue/search.html", status=422 if fault else 200, answer=answer,
                       values=values, errors=fault.fields, general=fault.general)


@requires("catalogue-admin", "admin")
async def service(request: Request) -> Response:
    view = await common.found(request, backend(request).catalogue_call("GetService", id=request.path_params["id"]))
    return render.page(request, "catalogue/service.html", view=view)


@requires("catalogue-admin", "admin")
async def upload(request: Request) -> Response:
    """The form (GET), or the import of the uploaded file and its summary, record by record (POST)."""
    if request.method == "GET":
        return render.page(request, "catalogue/import.html", kinds=IMPORT_KINDS, answer=None)
    lang = render.language(request)
    data = await security.form(request)
    kind = str(data.get("kind") or "")
    file = data.get("document")
    errors: dict[str, str] = {}
    document = ""
    if kind not in IMPORT_KINDS:
        errors["kind"] = lang.gettext("Choose what the file holds.")
    if file is None or isinstance(file, str) or not file.filename:
        errors["document"] = lang.gettext("Choose an HSDS JSON file.")
    else:
        raw = await file.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            errors["document"] = lang.gettext("The file is larger than 32 MB.")
        else:
            try:
                document = raw.decode("utf-8")
            except UnicodeDecodeError:
                errors["document"] = lang.gettext("The file is not UTF-8 text.")
    answer, fault = (None, None)
    if not errors:
        answer, fault = await common.call(request, backend(request).catalogue_call(
            "ImportHsds", document=document, kind=kind), {"document", "kind"})
        errors = fault.fields
    return render.page(request, "catalogue/import.html", status=422 if errors or fault else 200, kinds=IMPORT_KINDS,
                       answer=answer, errors=errors, general=fault.general if fault else [], values={"kind": kind})


@requires("catalogue-admin", "admin")
async def export(request: Request) -> Response:
    kind = request.query_params.get("kind", "organization")
    kind = kind if kind in EXPORT_KINDS else "organization"
    objects = await common.found(request, hsds_objects(backend(request), kind, tenant(request)))
    return Response(json.dumps(objects, ensure_ascii=False), media_type="application/json",
                    headers={"content-disposition": f'attachment; filename="hsds-{tenant(request)}-{kind}.json"'})


routes = [
    Route("/catalogue", search),
    Route("/catalogue/services/{id}", service),
    Route("/catalogue/import", upload, methods=["GET", "POST"]),
    Route("/catalogue/export", export),
]
