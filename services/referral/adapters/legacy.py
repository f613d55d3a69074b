"""Reference documents written before they were per municipality: keyed by the bare id of a question, service,
consent or client. `migrate` moves each under its (tenant, id) key, as if its event had been learnt now: the version
guard (or, for a first visit, the earliest day) decides against a document of the new key learnt meanwhile.

The tenant is the one the document recorded; a first-visit document recorded none, and takes the municipality of
the client's consent or question documents (client ids are random pseudonyms, so at most one has them). One left
without a tenant (an update of a service whose registration never arrived, a first visit of a client with neither
question nor consent) is left in place, never read again: nothing can refer to it.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from services.referral.application import reference

Apply = Callable[[Any, reference.Change], Awaitable[None]]
LEGACY = {"id": {"$exists": False}}
BOOKKEEPING = {"_id", "v", "tenant"}


async def migrate(db: Any, apply: Apply) -> int:
    moved = 0
    for collection in ("questions", "services", "consents"):
        async for doc in db[f"ref_{collection}"].find(LEGACY):
            if doc.get("tenant"):
                await _move(db, collection, doc, doc["tenant"], apply, earliest=False)
                moved += 1
                if collection == "questions":  # its office, which intake may have opened before Kafka's retention
                    await apply(db["ref_offices"], reference.office_known(doc["tenant"], doc["office_id"]))
    async for doc in db["ref_clients"].find(LEGACY):
        if tenant := await _tenant_of_client(db, doc["_id"]):
            await _move(db, "clients", doc, tenant, apply, earliest=True)
            moved += 1
    return moved


async def _move(db: Any, collection: str, doc: dict[str, Any], tenant: str, apply: Apply, earliest: bool) -> None:
    fields = {k: v for k, v in doc.items() if k not in BOOKKEEPING}
    if collection == "services":
        fields["registered"] = True  # the legacy document had a tenant only once its registration was learnt
    change = reference.Change(collection, tenant, doc["_id"], doc.get("v", 0), fields, earliest=earliest)
    await apply(db[f"ref_{collection}"], change)
    await db[f"ref_{collection}"].delete_one({"_id": doc["_id"]})


async def _tenant_of_client(db: Any, client_id: str) -> str | None:
    for found in (await db["ref_consents"].find_one({"id": client_id}),
                  await db["ref_consents"].find_one({"_id": client_id}),
                  await db["ref_questions"].find_one({"client_id": client_id})):
        if found and found.get("tenant"):
            return str(found["tenant"])
    return None
