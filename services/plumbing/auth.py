"""Authentication and authorisation for every gRPC API, in one place.

Callers send `authorization: Bearer <JWT>` (EdDSA, signed by the token issuer, verified with its public key, expiry
checked). The token maps to a `Principal`. Each servicer declares, per method, which roles may call it (`ACCESS`);
a method without a declaration is refused (fail closed). Tenant and partner scoping use the principal, never ids sent
in a request body. `TokenRules` bound what a token may claim (lifetime, subject); the verifier refuses the rest and
the issuer never mints it. The `system` role is for callers inside a service's own process (overdue flagging carries
an `Actor`, no token): a system token is accepted only by a service that names `Role.SYSTEM` in its `ACCESS`.
"""
from __future__ import annotations

import contextvars
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, ConfigDict, ValidationError

from contracts.envelope import Actor, Role
from services.plumbing.errors import PermissionDenied, Unauthenticated

ISSUER, AUDIENCE, ALGORITHM = "wegwijs", "wegwijs-api", "EdDSA"
MUNICIPAL_ROLES = frozenset({Role.FRONT_OFFICE, Role.POLICY, Role.CATALOGUE_ADMIN})
MAX_STAFF_ID = next(m.max_length for m in Actor.model_fields["staff_id"].metadata if hasattr(m, "max_length"))
Access = Mapping[str, frozenset[Role] | set[Role] | set[str]]

_current: contextvars.ContextVar[Principal] = contextvars.ContextVar("principal")


class Principal(BaseModel):
    """Who calls: a pseudonymous staff id, a role, and the municipality or partner organisation they act for."""

    model_config = ConfigDict(frozen=True)

    staff_id: str
    role: Role
    municipality: str | None = None
    partner: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(staff_id=self.staff_id, role=self.role)


def current() -> Principal:
    """The principal of the call being handled (set by the auth interceptor)."""
    return _current.get()


def bind(principal: Principal) -> contextvars.Token[Principal]:
    return _current.set(principal)


def scope_tenant(principal: Principal, requested: str | None) -> str:
    """The municipality a call acts on: the principal's own; only an admin may name another."""
    if principal.role in (Role.ADMIN, Role.SYSTEM):
        if not requested:
            raise PermissionDenied("tenant: an admin must name the municipality to act on")
        return requested
    if principal.municipality is None:
        raise PermissionDenied(f"role {principal.role} acts for no municipality")
    if requested and requested != principal.municipality:
        raise PermissionDenied(f"tenant: {principal.staff_id} may not act for {requested!r}")
    return principal.municipality


def scope_partner(principal: Principal, requested: str | None) -> str:
    """The partner organisation a partner call acts for: always the principal's own."""
    if principal.role == Role.PARTNER:
        if principal.partner is None or (requested and requested != principal.partner):
            raise PermissionDenied(f"partner: {principal.staff_id} may not act for {requested!r}")
        return principal.partner
    if not requested:
        raise PermissionDenied("partner: name the partner organisation")
    return requested


def allowed(access: Access, method: str, role: Role) -> bool:
    return role in {Role(r) for r in access.get(method, ())}


def accepts_system(access: Access) -> bool:
    """A service accepts system tokens only if one of its methods names `Role.SYSTEM` (an explicit declaration)."""
    return any(Role.SYSTEM in {Role(r) for r in roles} for roles in access.values())


class TokenRefused(ValueError):
    """A token the rules do not allow: names the claim (`exp`, `sub`, `role`) and the reason."""

    def __init__(self, claim: str, reason: str) -> None:
        super().__init__(f"{claim}: {reason}")
        self.claim, self.reason = claim, reason


@dataclass(frozen=True)
class TokenRules:
    """What a token may claim. The subject becomes the events' `Actor.staff_id`, so it is bounded by what an actor
    holds: a longer one would pass the door and fail every command later."""

    max_lifetime_seconds: int = 12 * 3600
    max_subject_length: int = MAX_STAFF_ID

    def check(self, subject: str, issued_at: float, expires_at: float) -> None:
        """Raise TokenRefused unless the subject and the lifetime (exp - iat) are allowed."""
        if not subject.strip():
            raise TokenRefused("sub", "the subject is empty")
        if len(subject) > self.max_subject_length:
            raise TokenRefused("sub", f"the subject has {len(subject)} characters, at most "
                                      f"{self.max_subject_length} are allowed")
        if expires_at - issued_at > self.max_lifetime_seconds:
            raise TokenRefused("exp", f"the lifetime of {int(expires_at - issued_at)} s exceeds the maximum of "
                                      f"{self.max_lifetime_seconds} s")
        if expires_at <= issued_at:
            raise TokenRefused("exp", "the lifetime must be more than 0 s")


@dataclass(frozen=True)
class TokenVerifier:
    public_key: Any
    leeway_seconds: int = 5
    rules: TokenRules = TokenRules()

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(token, self.public_key, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER,
                                leeway=self.leeway_seconds, options={"require": ["exp", "iat", "sub", "role"]})
            self.rules.check(claims["sub"], claims["iat"], claims["exp"])
            return Principal(staff_id=claims["sub"], role=claims["role"], municipality=claims.get("municipality"),
                             partner=claims.get("partner"))
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("token expired") from None
        except TokenRefused as exc:
            raise Unauthenticated(f"token refused: {exc}") from None
        except (jwt.InvalidTokenError, ValidationError) as exc:
            raise Unauthenticated(f"invalid token: {type(exc).__name__}") from None


@dataclass(frozen=True)
class TokenIssuer:
    """Mints only what verifiers with the same rules accept; system tokens only when told a service accepts them."""

    private_key: Ed25519PrivateKey
    rules: TokenRules = TokenRules()
    system: bool = False

    def issue(self, principal: Principal, ttl_seconds: int = 8 * 3600) -> str:
        if principal.role is Role.SYSTEM and not self.system:
            raise TokenRefused("role", "no service accepts system tokens (none names Role.SYSTEM in its ACCESS); "
                                       "the system role is for callers inside a service's own process")
        now = int(time.time())
        self.rules.check(principal.staff_id, now, now + ttl_seconds)
        claims = {"sub": principal.staff_id, "role": principal.role.value, "iss": ISSUER, "aud": AUDIENCE,
                  "iat": now, "exp": now + ttl_seconds}
        claims |= {k: v for k, v in (("municipality", principal.municipality), ("partner", principal.partner)) if v}
        return jwt.encode(claims, self.private_key, algorithm=ALGORITHM)


def new_keypair() -> tuple[bytes, bytes]:
    """A fresh Ed25519 key pair as (private PEM, public PEM)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def load_private(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the token signing key must be Ed25519")
    return key


def load_public(pem: bytes) -> Any:
    return serialization.load_pem_public_key(pem)
