"""A small OpenID Connect issuer, in process, for the sign-in tests: discovery, an authorization endpoint that
records the request (the test plays the person who signs in), a token endpoint that checks the client's secret, the
code and its PKCE verifier (S256), and a JWKS; id_tokens signed RS256."""
from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ISSUER = "https://idp.example.org/realms/wegwijs"
CLIENT_ID, CLIENT_SECRET = "wegwijs-web", "s3cret-of-the-web-client"


@dataclass
class FakeIssuer:
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537,
                                                                                    key_size=2048))
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    exchanged: list[dict[str, str]] = field(default_factory=list)
    signing_key: rsa.RSAPrivateKey | None = None  # set to sign with a key the JWKS does not hold
    audience: str = CLIENT_ID

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/realms/wegwijs/.well-known/openid-configuration", self.discovery),
                                 Route("/realms/wegwijs/token", self.token, methods=["POST"]),
                                 Route("/realms/wegwijs/jwks", self.jwks)])

    async def discovery(self, _: Request) -> JSONResponse:
        return JSONResponse({"issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/auth",
                             "token_endpoint": f"{ISSUER}/token", "jwks_uri": f"{ISSUER}/jwks",
                             "response_types_supported": ["code"], "id_token_signing_alg_values_supported": ["RS256"],
                             "code_challenge_methods_supported": ["S256"]})

    async def jwks(self, _: Request) -> JSONResponse:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return JSONResponse({"keys": [jwk | {"kid": "k1", "use": "sig", "alg": "RS256"}]})

    def authorize(self, location: str, claims: dict[str, Any]) -> dict[str, str]:
        """The person signs in at the issuer: the code for the request in `location`, with the claims to give."""
        query = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"request": query, "claims": claims}
        return {"code": code, "state": query["state"]}

    async def token(self, request: Request) -> JSONResponse:
        form = dict(await request.form())
        self.exchanged.append(form)
        given = request.headers.get("authorization", "")
        secret = base64.b64decode(given.removeprefix("Basic ")).decode() if given.startswith("Basic ") else \
            f"{form.get('client_id')}:{form.get('client_secret')}"
        if secret != f"{CLIENT_ID}:{CLIENT_SECRET}":
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(str(form.get("code")), None)
        if grant is None:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        asked = grant["request"]
        verifier = str(form.get("code_verifier") or "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if asked.get("code_challenge_method") != "S256" or challenge != asked.get("code_challenge"):
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE verification failed"},
                                status_code=400)
        if form.get("redirect_uri") != asked.get("redirect_uri"):
            return JSONResponse({"error": "invalid_grant", "error_description": "redirect_uri"}, status_code=400)
        now = int(time.time())
        access = secrets.token_urlsafe(16)
        claims = {"iss": ISSUER, "aud": self.audience, "iat": now, "exp": now + 300, "nonce": asked.get("nonce"),
                  "at_hash": _at_hash(access), **grant["claims"]}
        id_token = jwt.encode(claims, self.signing_key or self.key, algorithm="RS256", headers={"kid": "k1"})
        return JSONResponse({"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": id_token})


def _at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
