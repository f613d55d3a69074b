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
