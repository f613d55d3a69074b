"""`wegwijs-intake keys`: rotation of intake's key-encryption key (KEK) and the rewrap of every client's data key.

Both read the same settings as intake (`WEGWIJS_MONGO_URL`, `WEGWIJS_DB_PREFIX`, `WEGWIJS_KEK_KEYRING_FILE` or
`WEGWIJS_VAULT_*`) and touch only `client_keys`: no event and no ciphertext changes, as the data keys stay the same.
"""
from __future__ import annotations

import asyncio
from typing import Any

import typer
from pymongo import AsyncMongoClient
from rich.console import Console

from services.intake.application.keys import Rotation, rotate
from services.intake.bootstrap import SERVICE, KeySettings, client_keys
from services.plumbing.keyring import WrapError
from services.plumbing.settings import Settings

app = typer.Typer(help="Wegwijs intake: administration.", no_args_is_help=True)
keys = typer.Typer(help="The key-encryption key that wraps every client's data key.", no_args_is_help=True)
app.add_typer(keys, name="keys")
console = Console()


async def run(settings: Settings, own: KeySettings, **how: Any) -> Rotation:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url, serverSelectionTimeoutMS=3000)
    try:
        return await rotate(await client_keys(mongo, settings.database(SERVICE), own), **how)
    finally:
        await mongo.close()


def _report(**how: Any) -> None:
    try:
        done = asyncio.run(run(Settings(), KeySettings(), **how))
    except WrapError as exc:
        console.print(f"[red]error:[/red] {exc}; no version was retired")
        raise typer.Exit(1) from None
    retired = f"; versions below {done.version} retired" if done.retired else ""
    console.print(f"{done.rewrapped} data keys rewrapped: every key is wrapped with version {done.version}{retired}")


RETIRE = typer.Option(False, help="then retire the older versions, which no key needs now")
GRACE = typer.Option(15.0, help="before retiring, wait this long (more than a request of intake lives) and rewrap "
                                "what was wrapped meanwhile with an older version")


@keys.command("rotate")
def rotate_keys(retire: bool = RETIRE, grace_seconds: float = GRACE) -> None:
    """A new KEK version, then every client's data key rewrapped under it (and keys an older release stored in the
    clear wrapped). Intake keeps running meanwhile."""
    _report(new_version=True, retire=retire, grace_seconds=grace_seconds)


@keys.command("rewrap")
def rewrap_keys(retire: bool = RETIRE, grace_seconds: float = GRACE) -> None:
    """Every data key brought to the newest KEK version, without making one: after a release that stored keys in the
    clear, a rotation Vault made on its own, or a rotation that stopped halfway."""
    _report(new_version=False, retire=retire, grace_seconds=grace_seconds)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
