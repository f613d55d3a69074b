"""The local keyring file and Vault transit (through a fake Vault speaking its HTTP API on loopback) pass the same
contract as the in-memory key wrapper."""
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.intake.adapters.keyfile import FileKeyWrapper
from services.intake.adapters.vault import VaultTransit
from services.intake.bootstrap import KeySettings, client_keys, key_wrapper
from services.intake.tests import fake_vault
from services.intake.tests.port_contracts import key_wrapper_contract
from services.plumbing import keyring
from services.plumbing.keyring import KekUnavailable, WrapError


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[tuple[str, Path, fake_vault.FakeVault]]:
    token = tmp_path / "vault-token"
    token.write_text("s.fake-token\n")
    with fake_vault.serving("s.fake-token") as (address, fake):
        yield address, token, fake


async def test_local_keyring_file(tmp_path: Path) -> None:
    await key_wrapper_contract(FileKeyWrapper(keyring.create(tmp_path / "kek.json")),
                               FileKeyWrapper(tmp_path / "none.json"))
    assert len(keyring.read(tmp_path / "kek.json").versions) == 1, "retiring removed the old key from the file"
    assert (tmp_path / "kek.json").stat().st_mode & 0o077 == 0


async def test_vault_transit(vault) -> None:
    address, token, fake = vault
    await key_wrapper_contract(VaultTransit(address, token), VaultTransit(address, token, key="no-such-key"))
    assert ("POST", "/v1/transit/rewrap/wegwijs-intake") in fake.calls
    assert fake.keys["wegwijs-intake"].min_decryption_version == 2


async def test_vault_errors_name_the_cause(vault, tmp_path: Path) -> None:
    address, token, fake = vault
    wrong = tmp_path / "wrong-token"
    wrong.write_text("s.other")
    with pytest.raises(WrapError, match="403 permission denied"):
        await VaultTransit(address, wrong).wrap(b"k" * 32, "c-a")
    with pytest.raises(WrapError, match="encryption key not found"):
        await VaultTransit(address, token, key="gone").unwrap("vault:v1:AAAA", "c-a")
    with pytest.raises(WrapError, match="cannot read the token file"):
        await VaultTransit(address, tmp_path / "absent").latest()
    with pytest.raises(KekUnavailable, match="unreachable"):
        await VaultTransit("http://127.0.0.1:9", token, timeout=1).latest()
    fake.keys["not-derived"] = fake_vault.TransitKey(derived=False)
    with pytest.raises(WrapError, match="must be created with derived=true"):
        await VaultTransit(address, token, key="not-derived").latest()
    fake.sealed = True
    with pytest.raises(KekUnavailable, match="503 Vault is sealed"):
        await VaultTransit(address, token).unwrap("vault:v1:AAAA", "c-a")


async def test_a_running_intake_sees_the_keyring_a_rotation_rewrote(tmp_path: Path) -> None:
    path = keyring.create(tmp_path / "kek.json")
    running, operator = FileKeyWrapper(path), FileKeyWrapper(path)
    old = await running.wrap(b"k" * 32, "c-a")
    await operator.rotate()
    assert keyring.version_of(await running.wrap(b"k" * 32, "c-a")) == 2
    await operator.retire(2)
    with pytest.raises(WrapError, match="version 1 is not in the keyring"):
        await running.unwrap(old, "c-a")


def test_intake_refuses_to_start_without_a_kek(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="WEGWIJS_KEK_KEYRING_FILE is not set"):
        key_wrapper(KeySettings(kek_keyring_file=None, vault_addr=None))  # whatever the environment says
    with pytest.raises(SystemExit, match="WEGWIJS_VAULT_TOKEN_FILE is not set"):
        key_wrapper(KeySettings(vault_addr="https://vault:8200", vault_token_file=None))
    assert isinstance(key_wrapper(KeySettings(kek_keyring_file=tmp_path / "k.json")), FileKeyWrapper)
    assert isinstance(key_wrapper(KeySettings(kek_keyring_file=tmp_path / "k.json", vault_addr="https://vault:8200",
                                              vault_token_file=tmp_path / "t")), VaultTransit)


async def test_intake_refuses_to_start_when_the_kek_does_not_answer(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="key-encryption key: cannot read the keyring"):
        own = KeySettings(kek_keyring_file=tmp_path / "none.json", vault_addr=None)
        await client_keys(None, "intake", own)  # type: ignore[arg-type]  # the KEK is checked before the database
