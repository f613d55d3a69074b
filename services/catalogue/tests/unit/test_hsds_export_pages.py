"""ExportHsdsPage's pages (adapters.hsds.export_page): joined, they are the whole export, in id order; a page is
bounded in objects and in bytes, and never empty while objects are left."""
from __future__ import annotations

import json

from services.catalogue.adapters import hsds
from services.catalogue.application import hsds_export
from services.catalogue.application.handlers import Deps
from services.catalogue.tests.support import demo_files, import_document


def _joined(kind: str, catalogue: hsds_export.Catalogue, size: int, most_bytes: int) -> list[dict]:
    docs, start, pages = [], 0, 0
    while start is not None:
        page, total, start = hsds.export_page(kind, catalogue, start, size, most_bytes)
        assert page and len(page) <= size and total == len(hsds.export(kind, catalogue)["contents"])
        assert len(page) == 1 or len(json.dumps(page, ensure_ascii=False).encode()) <= most_bytes + 2 * len(page)
        docs += page
        pages += 1
    assert pages > 1
    return docs


async def test_the_pages_joined_are_the_export(deps: Deps) -> None:
    for document in demo_files().values():
        await import_document(deps, document)
    catalogue = await hsds_export.catalogue("kortrijk", deps)
    for kind in ("organization", "service", "location"):
        whole = hsds.export(kind, catalogue)["contents"]
        assert _joined(kind, catalogue, 40, 1 << 30) == whole
        assert _joined(kind, catalogue, 1000, 20_000) == whole  # cut by bytes, not by count
