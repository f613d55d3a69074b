"""The development keyring of key-encryption keys: made once by `wegwijs dev-secrets`, never replaced, refused
clearly when it is not one."""
from pathlib import Path

import pytest

from services.plumbing import devsecrets, keyring
from services.plumbing.keyring import Keyring, WrapError


def test_dev_secrets_make_the_keyring_once_and_keep_it(tmp_path: Path) -> None:
    devsecrets.write(tmp_path)
    path = tmp_path / devsecrets.KEYRING
    first = path.read_bytes()
    assert list(keyring.read(path).versions) == [1] and path.stat().st_mode & 0o077 == 0
    devsecrets.write(tmp_path)
    assert path.read_bytes() == first, "a new keyring would make every stored data key unreadable"


def test_a_secrets_folder_from_before_gets_a_keyring_and_keeps_its_certificates(tmp_path: Path) -> None:
    devsecrets.write(tmp_path)
    (tmp_path / devsecrets.KEYRING).unlink()
    certificate = (tmp_path / "server.pem").read_bytes()
    devsecrets.write(tmp_path)
    assert (tmp_path / devsecrets.KEYRING).exists() and (tmp_path / "server.pem").read_bytes() == certificate


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "not a keyring"), (b'{"versions": {"1": "c2hvcnQ="}}', "32 bytes"), (b'{"keys": {}}', "not a keyring"),
    (b'{"versions": {"one": "x"}}', "not a keyring")])
def test_a_file_that_is_no_keyring_is_refused_naming_it(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "kek.json"
    path.write_bytes(content)
    with pytest.raises(WrapError, match=reason) as refused:
        keyring.read(path)
    assert str(path) in str(refused.value)


def test_the_newest_version_cannot_be_retired() -> None:
    ring = Keyring()
    ring.rotate()
    with pytest.raises(WrapError, match="the newest is 2"):
        ring.retire(3)
    ring.retire(2)
    assert list(ring.versions) == [2]
