"""Server-side pages: one Jinja2 environment per language (gettext installed), autoescaped, rendered with the
signed-in person, the CSRF token and the label helpers."""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from services.web import i18n, labels, session

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def environment(lang: str) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    words = i18n.language(lang)
    env.install_gettext_translations(words.translations, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(labels=labels, LANGUAGES=i18n.LANGUAGES,
                       pairs=lambda options: [(o.code, o.label) for o in options],
                       themed=lambda codes: [(c, labels.theme(c, lang)) for c in codes],
                       coded=lambda mapping: [(code, words.gettext(word)) for code, word in mapping.items()])
    return env


def language(request: Request) -> i18n.Language:
    return i18n.language(i18n.chosen(request.session.get("lang")))


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The template rendered for this request's person and language."""
    lang = i18n.chosen(request.session.get("lang"))
    context.setdefault("errors", {})
    context.setdefault("general", [])
    context.setdefault("values", {})
    context.setdefault("notice", None)
    context.setdefault("failed", None)  # the action whose form came back refused
    html = environment(lang).get_template(template).render(
        request=request, person=session.person(request), csrf=session.csrf(request), lang=lang, **context)
    return HTMLResponse(html, status_code=status)
