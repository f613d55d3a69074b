"""Versioned Wegwijs taxonomies (themes, barriers, channels) and ISO 639 language codes.

Taxonomies are the packaged JSON files in ``contracts/taxonomies``, read lazily and once. Theme codes are
stable: ``housing`` is a top-level theme, ``housing.social-rental`` one of its sub-themes.
"""

from __future__ import annotations

import gettext
import json
from functools import cache
from importlib import resources

import pycountry
from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator


class Term(BaseModel):
    """One entry of a taxonomy, with labels per language (nl, fr, en)."""

    model_config = ConfigDict(frozen=True)

    code: str
    parent: str | None = None
    labels: dict[str, str]
    airs: str | None = None
    description: str | None = None


class Taxonomy(BaseModel):
    """A named, versioned list of terms; look terms up by code."""

    model_config = ConfigDict(frozen=True)

    taxonomy: str
    version: str
    terms: tuple[Term, ...]
    _index: dict[str, Term] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _build_index(self) -> Taxonomy:
        for term in self.terms:
            if term.code in self._index:
                raise ValueError(f"duplicate code {term.code!r} in {self.taxonomy}")
            self._index[term.code] = term
        for term in self.terms:
            if term.parent is not None and term.parent not in self._index:
                raise ValueError(f"{term.code!r} has unknown parent {term.parent!r} in {self.taxonomy}")
        return self

    def get(self, code: str) -> Term:
        """The term with this code; KeyError if the taxonomy has none."""
        try:
            return self._index[code]
        except KeyError:
            raise KeyError(f"unknown code {code!r} in taxonomy {self.taxonomy} {self.version}") from None

    def __contains__(self, code: object) -> bool:
        return code in self._index

    def codes(self) -> frozenset[str]:
        """All codes of this taxonomy."""
        return frozenset(self._index)

    def top_level(self, code: str) -> str:
        """The code of the top-level ancestor of ``code`` (itself if it is top-level)."""
        term = self.get(code)
        while term.parent is not None:
            term = self.get(term.parent)
        return term.code

    def label(self, code: str, lang: str = "nl") -> str:
        """The label of ``code`` in ``lang``; KeyError if there is none."""
        term = self.get(code)
        try:
            return term.labels[lang]
        except KeyError:
            raise KeyError(f"no {lang!r} label for {code!r} in taxonomy {self.taxonomy}") from None


@cache
def _load(name: str) -> Taxonomy:
    text = resources.files("contracts").joinpath("taxonomies").joinpath(f"{name}.json").read_text("utf-8")
    return Taxonomy.model_validate(json.loads(text))


def themes() -> Taxonomy:
    """Need themes (with sub-themes), mapped to 211/AIRS top levels."""
    return _load("themes")


def barriers() -> Taxonomy:
    """Barriers that keep newcomers from a service."""
    return _load("barriers")


def channels() -> Taxonomy:
    """Channels through which a question reaches a bridge worker."""
    return _load("channels")


def _language(code: str, required: bool = True):
    c = code.lower() if isinstance(code, str) else ""
    field = {2: "alpha_2", 3: "alpha_3"}.get(len(c))
    found = pycountry.languages.get(**{field: c}) if field else None
    if found is None and required:
        raise ValueError(f"unknown ISO 639 language code {code!r}")
    return found


def is_language(code: str) -> bool:
    """True for a known ISO 639-1 (two-letter) or ISO 639-3 (three-letter) code, any case."""
    return _language(code, required=False) is not None


def normalise_language(code: str) -> str:
    """The canonical lowercase code: ISO 639-1 when the language has one, else ISO 639-3."""
    lang = _language(code)
    return getattr(lang, "alpha_2", None) or lang.alpha_3


@cache
def _translations(lang: str) -> gettext.NullTranslations:
    return gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def language_label(code: str, lang: str = "nl") -> str:
    """The name of language ``code`` in ``lang`` (pycountry's translation; English if there is none)."""
    language = _language(code)
    return language.name if lang == "en" else _translations(lang).gettext(language.name)


def language_named(name: str) -> str:
    """The canonical code of a language given by its name in any language ("Arabic", "Arabisch", "arabe")."""
    import langcodes  # imported here: its name index is large and only imports need it

    try:
        found = langcodes.find(name)
    except LookupError:
        raise ValueError(f"{name!r} is not the name of a language") from None
    return normalise_language(found.language)


def language_tagged(code: str) -> str:
    """The canonical code of an ISO 639 code or a BCP 47 tag with a region or script ("ar-MA" → "ar")."""
    if is_language(code):
        return normalise_language(code)
    primary = code.replace("_", "-").split("-", 1)[0]
    if primary != code and is_language(primary):
        return normalise_language(primary)
    raise ValueError(f"unknown ISO 639 language code {code!r}")


class Crosswalk(BaseModel):
    """Terms of another taxonomy (AIRS/211 LA, Open Eligibility, a city's own) → Wegwijs theme codes."""

    model_config = ConfigDict(frozen=True)

    taxonomy: str
    aliases: tuple[str, ...] = ()
    by: str  # "code": the longest code prefix in `terms` wins (BH-1800.8500 → BH-1800 → BH); "name": the term's name
    terms: dict[str, str]

    def names(self) -> set[str]:
        return {n.casefold() for n in (self.taxonomy, *self.aliases)}

    def theme(self, code: str | None, name: str | None) -> str | None:
        if self.by == "name":
            return self.terms.get((name or "").strip().casefold())
        code = (code or "").strip().upper()
        for end in range(len(code), 0, -1):
            if code[:end] in self.terms and (end == len(code) or code[end] in ".-"):
                return self.terms[code[:end]]
        return None


@cache
def crosswalks() -> tuple[Crosswalk, ...]:
    text = resources.files("contracts").joinpath("taxonomies").joinpath("crosswalks.json").read_text("utf-8")
    found = tuple(Crosswalk.model_validate(x) for x in json.loads(text)["crosswalks"])
    for walk in found:
        unknown = sorted(set(walk.terms.values()) - themes().codes())
        if unknown:
            raise ValueError(f"crosswalk {walk.taxonomy} maps to unknown themes {unknown}")
    return found


def theme_of_term(taxonomy: str | None, code: str | None, name: str | None) -> str | None:
    """The Wegwijs theme a term of another taxonomy stands for, by the crosswalk table; None when unmapped."""
    wanted = (taxonomy or "").strip().casefold()
    for walk in crosswalks():
        if wanted in walk.names():
            return walk.theme(code, name)
    return None
