"""A loopback Entra sign-in authority: OpenID discovery and the client-credentials token endpoint.

msal only accepts https authorities, so this runs over TLS with a throw-away self-signed
certificate; pass `ca_path` to msal's `verify`. What msal 1.39 fetches for client credentials
with `instance_discovery=False`: `GET {authority}/v2.0/.well-known/openid-configuration`, then
`POST {token_endpoint}` with `grant_type=client_credentials` and either `client_secret` or a
`client_assertion` JWT signed with the app's certificate.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class AppCertificate:
    """An app credential certificate: private key PEM, certificate PEM and SHA-1 thumbprint."""

    private_key_pem: str
    certificate_pem: str
    thumbprint: str


def _certificate(key: Any, name: str, *, server: bool) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
    )
    if server:
        names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
    return builder.sign(key, hashes.SHA256())


def make_app_certificate() -> AppCertificate:
    """A fresh RSA certificate credential, as an admin would upload to the app registration."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _certificate(key, "sharedcalling-bot", server=False)
    return AppCertificate(
        private_key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        thumbprint=cert.fingerprint(hashes.SHA1()).hex().upper(),  # noqa: S303 - x5t is SHA-1
    )


def _server_tls(directory: Path) -> tuple[ssl.SSLContext, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(key, "127.0.0.1", server=True)
    cert_path = directory / "login-ca.pem"
    key_path = directory / "login-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context, cert_path


@dataclass
class FakeLogin:
    """Issues opaque bearer tokens to one app; counts every request it serves by kind."""

    tenant_id: str
    client_id: str
    client_secret: str | None = None
    certificate: AppCertificate | None = None
    issued: set[str] = field(default_factory=set)
    calls: Counter[str] = field(default_factory=Counter)
    base_url: str = ""
    ca_path: Path | None = None
    _runner: web.AppRunner | None = None
    _tmp: tempfile.TemporaryDirectory[str] | None = None

    async def start(self) -> str:
        self._tmp = tempfile.TemporaryDirectory(prefix="fake-login-")
        context, self.ca_path = _server_tls(Path(self._tmp.name))
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._discovery)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"https://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._tmp is not None:
            self._tmp.cleanup()

    def _tenant(self, request: web.Request) -> str | None:
        tenant = request.match_info["tenant"]
        return tenant if tenant.lower() == self.tenant_id.lower() else None

    async def _discovery(self, request: web.Request) -> web.Response:
        self.calls["discovery"] += 1
        tenant = self._tenant(request)
        if tenant is None:
            return web.json_response({"error": "invalid_tenant"}, status=400)
        root = f"{self.base_url}/{tenant}"
        return web.json_response(
            {
                "issuer": f"{root}/v2.0",
                "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                "token_endpoint": f"{root}/oauth2/v2.0/token",
                "jwks_uri": f"{root}/discovery/v2.0/keys",
                "response_types_supported": ["code", "id_token", "token"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "private_key_jwt",
                ],
                "tenant_region_scope": "EU",
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        self.calls["token"] += 1
        form = await request.post()
        if self._tenant(request) is None or form.get("grant_type") != "client_credentials":
            return _refuse("unsupported_grant_type", "AADSTS70003: unsupported grant.")
        if form.get("client_id") != self.client_id:
            return _refuse("unauthorized_client", "AADSTS700016: application not found.")
        if not self._credential_ok(form, str(request.url)):
            return _refuse("invalid_client", "AADSTS7000215: Invalid client secret provided.")
        if not str(form.get("scope", "")).endswith("/.default"):
            return _refuse("invalid_scope", "AADSTS1002012: scope must end in /.default.")
        token = f"fake-token-{uuid.uuid4()}"
        self.issued.add(token)
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": token,
            }
        )

    def _credential_ok(self, form: Any, token_url: str) -> bool:
        if self.client_secret is not None:
            return form.get("client_secret") == self.client_secret
        if self.certificate is None or "client_assertion" not in form:
            return False
        public_key = x509.load_pem_x509_certificate(
            self.certificate.certificate_pem.encode()
        ).public_key()
        try:
            claims = jwt.decode(
                str(form["client_assertion"]),
                public_key,  # type: ignore[arg-type]
                algorithms=["RS256", "PS256"],
                audience=token_url,
            )
        except jwt.PyJWTError:
            return False
        return claims.get("iss") == claims.get("sub") == self.client_id


def _refuse(error: str, description: str) -> web.Response:
    return web.json_response(
        {"error": error, "error_description": description, "error_codes": [0]}, status=401
    )
