"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests: collects every message it receives.

Use the `smtp_server` fixture (plain SMTP, no login) or `smtp_server_tls` (STARTTLS with a self-signed
certificate and a required login). `server.environ` holds the SABIDAMU_SMTP_* settings that point the app at
it; merge them into the `environ` fixture before the app is created (see the `mail_app` fixture).
"""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "sabidamu-test", "smtp-secret"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        return part.get_content() if part is not None else ""


@dataclass
class SmtpServer:
    port: int
    environ: dict
    messages: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The first `count` messages, waiting for them to arrive (a message sent from a thread)."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        return list(self.messages)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content or envelope.content,
                                          policy=email.policy.default)
        with self.server._arrived:
            self.server.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
            self.server._arrived.notify_all()
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and localhost) and its key, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _authenticator(server: SmtpServer):
    def check(smtp, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER \
            and auth_data.password.decode() == PASSWORD
        if ok:
            server.logins.append(USER)
        return AuthResult(success=ok)
    return check


def _start(tmp_path: Path, tls: str):
    port = _free_port()
    environ = {"SABIDAMU_SMTP_HOST": "127.0.0.1", "SABIDAMU_SMTP_PORT": str(port), "SABIDAMU_SMTP_TLS": tls,
               "SABIDAMU_SMTP_FROM": "SabiDamu <no-reply@sabidamu.test>"}
    server = SmtpServer(port=port, environ=environ)
    kwargs: dict = {"hostname": "127.0.0.1", "port": port}
    if tls == "starttls":
        cert, key = self_signed_cert(tmp_path)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        kwargs.update(tls_context=context, require_starttls=True, auth_required=True,
                      authenticator=_authenticator(server))
        environ.update(SABIDAMU_SMTP_USER=USER, SABIDAMU_SMTP_PASSWORD=PASSWORD, SABIDAMU_SMTP_CA_FILE=str(cert))
    controller = Controller(_Handler(server), **kwargs)
    controller.start()
    return server, controller


@pytest.fixture
def smtp_server(tmp_path):
    server, controller = _start(tmp_path, "none")
    yield server
    controller.stop()


@pytest.fixture
def smtp_server_tls(tmp_path):
    server, controller = _start(tmp_path, "starttls")
    yield server
    controller.stop()


@pytest.fixture
def mail_app(environ, smtp_server):
    """The app, sending its mail to `smtp_server`."""
    from sabidamu import create_app
    environ.update(smtp_server.environ)
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, environ=environ)
    yield app
    app.extensions["sabidamu.engine"].dispose()
