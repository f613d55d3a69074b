"""Envelope encryption on the real FerretDB: the MongoDB key store passes the key store contract, keys an older
release stored in the clear are wrapped on first read, and `wegwijs-intake keys rotate` rewraps every data key under a
new KEK version without touching an event, after which the old version is no longer needed."""
from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import grpc
import pytest
from bson import Binary, json_util

from services.intake.adapters.keyfile import FileKeyWrapper
from services.intake.adapters.mongo import KEYS, MongoKeyStore
from services.intake.adapters.vault import VaultTransit
from services.intake.application.keys import ClientKeys
from services.intake.tests.port_contracts import client_keys_contract, key_store_contract
from services.plumbing import devsecrets, keyring

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[4]


def cid() -> str:
    return uuid.uuid4().hex


async def test_mongo_key_store(mongo, settings) -> None:
    database = settings.database("intake")

    async def plant(client_id: str, key: bytes) -> None:
        await mongo[database][KEYS].insert_one({"_id": client_id, "key": Binary(key)})
    await key_store_contract(MongoKeyStore(mongo, database), plant)


async def test_client_keys_over_mongo_and_the_keyring_file(mongo, settings, tmp_path) -> None:
    kek = FileKeyWrapper(keyring.create(tmp_path / "kek.json"))
    await client_keys_contract(ClientKeys(MongoKeyStore(mongo, settings.database("intake")), kek))


async def _client(api, note: str) -> str:
    client_id = (await api.call("RegisterClient", command_id=cid())).client_id
    await api.call("RecordContactDetails", command_id=cid(), client_id=client_id, email=f"{note}@example.org")
    await api.call("AddClientNote", command_id=cid(), client_id=client_id, text=f"notitie {note}")
    return client_id


async def test_a_key_stored_in_the_clear_is_wrapped_on_first_read(api, mongo, settings) -> None:
    client_id = await _client(api, "lina")
    keys = mongo[settings.database("intake")][KEYS]
    key = await api.deps.keys.get(client_id)
    await keys.replace_one({"_id": client_id}, {"key": Binary(key)})  # as the release before envelope encryption

    detail = await api.call("GetClient", client_id=client_id)

    assert (detail.email, [n.text for n in detail.notes]) == ("lina@example.org", ["notitie lina"])
    doc = await keys.find_one({"_id": client_id})
    assert set(doc) == {"_id", "wrapped"} and doc["wrapped"].startswith("local:v1:")
    assert key not in json_util.dumps(doc).encode()


async def _rotate(settings, secrets: Path, *args: str) -> str:
    env = {**os.environ, "WEGWIJS_MONGO_URL": settings.mongo_url, "WEGWIJS_DB_PREFIX": settings.db_prefix,
           "WEGWIJS_KEK_KEYRING_FILE": str(secrets / devsecrets.KEYRING)}
    env.pop("WEGWIJS_VAULT_ADDR", None)
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "services.intake.entrypoints.cli", "keys", *args,
                                                cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.STDOUT)
    out, _ = await proc.communicate()
    assert proc.returncode == 0, out.decode()
    return out.decode()


async def test_rotation_rewraps_every_key_and_leaves_events_alone(api, mongo, settings, tmp_path) -> None:
    names = ["amira", "bram", "chen"]
    clients = [await _client(api, n) for n in names]
    erased = await _client(api, "dries")
    await api.call("EraseClient", command_id=cid(), client_id=erased)
    database = mongo[settings.database("intake")]
    clear = await api.deps.keys.get(clients[2])
    await database[KEYS].replace_one({"_id": clients[2]}, {"key": Binary(clear)})  # one from an older release
    before = {c: await api.deps.keys.store.get(c) for c in clients[:2]}
    commits = json_util.dumps(await database["commits"].find().sort("_id").to_list())

    out = await _rotate(settings, tmp_path, "rotate", "--retire", "--grace-seconds", "0")

    assert "3 data keys rewrapped" in out and "version 2" in out
    assert json_util.dumps(await database["commits"].find().sort("_id").to_list()) == commits
    ring = keyring.read(tmp_path / devsecrets.KEYRING)
    assert list(ring.versions) == [2], "the old KEK version is gone from the keyring"
    docs = {d["_id"]: d async for d in database[KEYS].find({"_id": {"$in": [*clients, erased]}})}
    assert all(keyring.version_of(docs[c]["wrapped"]) == 2 and "key" not in docs[c] for c in clients)
    assert all(docs[c]["wrapped"] != before[c] for c in clients[:2])
    assert docs[erased] == {"_id": erased, "erased": True}
    for client_id, name in zip(clients, names, strict=True):
        detail = await api.call("GetClient", client_id=client_id)  # the running intake re-read the keyring
        assert (detail.email, [n.text for n in detail.notes]) == (f"{name}@example.org", [f"notitie {name}"])
    assert (await api.call("GetClient", client_id=erased)).erased

    again = await _rotate(settings, tmp_path, "rewrap")
    assert "0 data keys rewrapped" in again


async def test_a_kek_that_does_not_answer_is_unavailable_and_writes_nothing(api, mongo, settings, tmp_path) -> None:
    client_id = await _client(api, "noor")
    commits = await mongo[settings.database("intake")]["commits"].count_documents({})
    (tmp_path / "token").write_text("s.token")
    api.deps.keys.kek = VaultTransit("http://127.0.0.1:9", tmp_path / "token", timeout=1)  # nothing listens there
    for attempt in (api.call("GetClient", client_id=client_id),
                    api.call("AddClientNote", command_id=cid(), client_id=client_id, text="nog een notitie")):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await attempt
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE and "unreachable" in refused.value.details()
    assert await mongo[settings.database("intake")]["commits"].count_documents({}) == commits
