"""Development secrets for the local stack and the tests: a token signing key pair, a CA, TLS certificates and
intake's key-encryption keyring.

Never used in production, where keys and certificates come from the platform's secret store.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from services.plumbing import keyring
from services.plumbing.auth import new_keypair

KEYRING = "kek-keyring.json"  # intake's key-encryption keys (WEGWIJS_KEK_KEYRING_FILE)
PARTNER_SECRET = "referral-partner-secret"  # WEGWIJS_REFERRAL_PARTNER_SECRET_FILE: senders' pseudonyms for partners
WEB_SESSION_SECRET = "web-session-secret"  # WEGWIJS_WEB_SESSION_SECRET_FILE: signs the web application's cookies
FILES = ("jwt-private.pem", "jwt-public.pem", "ca.pem", "server.pem", "server-key.pem", "client.pem", "client-key.pem")


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _cert(subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name | None, signer: ec.EllipticCurvePrivateKey,
          *, ca: bool = False, usage: ExtendedKeyUsageOID | None = None) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer or name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
               .not_valid_after(now + dt.timedelta(days=365))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False).add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
    return builder.sign(signer, hashes.SHA256())


def _secret(path: Path) -> None:
    """32 random bytes as hex, unless the file exists (a new one would change every partner's sender pseudonyms)."""
    if not path.exists():
        path.write_text(secrets.token_hex(32) + "\n")
        path.chmod(0o600)


def write(folder: Path) -> Path:
    """Write every development secret into `folder` (kept if already complete; the keyring is never replaced).
    Returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    _secret(folder / PARTNER_SECRET)
    _secret(folder / WEB_SESSION_SECRET)
    keyring.create(folder / KEYRING)
    if all((folder / f).exists() for f in FILES):
        return folder
    jwt_private, jwt_public = new_keypair()
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("Wegwijs development CA", ca_key, None, ca_key, ca=True)
    out = {"jwt-private.pem": jwt_private, "jwt-public.pem": jwt_public,
           "ca.pem": ca.public_bytes(serialization.Encoding.PEM)}
    for role, usage in (("server", ExtendedKeyUsageOID.SERVER_AUTH), ("client", ExtendedKeyUsageOID.CLIENT_AUTH)):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _cert(f"wegwijs-{role}", key, ca.subject, ca_key, usage=usage)
        out[f"{role}.pem"], out[f"{role}-key.pem"] = cert.public_bytes(serialization.Encoding.PEM), _key_pem(key)
    for name, data in out.items():
        path = folder / name
        path.write_bytes(data)
        path.chmod(0o600)
    return folder
