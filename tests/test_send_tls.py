"""STARTTLS and implicit TLS with AUTH LOGIN against aiosmtpd on 127.0.0.1, using a CA and
certificate made in the test and trusted through DIGEST_SMTP_CA_FILE."""

from __future__ import annotations

import ssl
from contextlib import contextmanager
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.helpers.smtp import Sink, free_port
from tests.helpers.sendkit import SECRET, address, digest, make_workspace

USER, PASSWORD = "digest-sender", "correct horse battery staple"
COUNT = 5


class AuthSink(Sink):
    """Records, per message, whether the session was authenticated and encrypted."""

    def __init__(self):
        super().__init__()
        self.sessions: list[tuple[bool, bool]] = []

    async def handle_DATA(self, server, session, envelope):
        encrypted = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
        self.sessions.append((bool(session.authenticated), encrypted))
        return await super().handle_DATA(server, session, envelope)


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = mechanism == "LOGIN" and isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca, tmp_path) -> Path:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("tls"), COUNT)


@contextmanager
def tls_server(ca: trustme.CA, implicit: bool):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    sink = AuthSink()
    common = dict(hostname="127.0.0.1", port=free_port(), authenticator=authenticate, auth_exclude_mechanism=["PLAIN"])
    if implicit:
        controller = Controller(sink, ssl_context=context, auth_require_tls=False, **common)
    else:
        controller = Controller(sink, tls_context=context, require_starttls=True, auth_required=True, **common)
    controller.start()
    try:
        yield controller, sink
    finally:
        controller.stop()


def env(port: int, security: str, ca_file: Path | None, password: str = PASSWORD) -> dict[str, str]:
    values = {
        "DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_PORT": str(port), "DIGEST_SMTP_SECURITY": security,
        "DIGEST_SMTP_USERNAME": USER, "DIGEST_SMTP_PASSWORD": password, "DIGEST_SECRET": SECRET,
        "DIGEST_SMTP_RETRY_DELAY": "0.02",
    }
    if ca_file:
        values["DIGEST_SMTP_CA_FILE"] = str(ca_file)
    return values


def fresh(built: Path, tmp_path: Path) -> Path:
    import shutil

    workspace = tmp_path / "ws"
    shutil.copytree(built, workspace, ignore=shutil.ignore_patterns("ledger.sqlite*"))
    return workspace


@pytest.mark.parametrize("security, implicit", [("starttls", False), ("tls", True)])
def test_tls_with_auth_login_delivers_every_copy(built, tmp_path, ca, ca_file, security, implicit):
    workspace = fresh(built, tmp_path)
    with tls_server(ca, implicit) as (controller, sink):
        result = digest(workspace, "send", "example", env=env(controller.port, security, ca_file))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"sent {COUNT}, failed 0" in result.stdout
    assert sorted(r.rcpt_tos[0] for r in sink.received) == [address(i) for i in range(COUNT)]
    assert sink.sessions == [(True, True)] * COUNT
    assert USER not in result.stdout + result.stderr and PASSWORD not in result.stdout + result.stderr


def test_untrusted_certificate_stops_the_send_and_names_the_setting(built, tmp_path, ca):
    workspace = fresh(built, tmp_path)
    with tls_server(ca, implicit=False) as (controller, sink):
        result = digest(workspace, "send", "example", env=env(controller.port, "starttls", None))
    assert result.returncode == 1 and not sink.received
    assert "certificate is not trusted" in result.stderr and "DIGEST_SMTP_CA_FILE" in result.stderr
    assert "Traceback" not in result.stderr


def test_wrong_password_stops_the_send_and_the_next_run_delivers(built, tmp_path, ca, ca_file):
    workspace = fresh(built, tmp_path)
    with tls_server(ca, implicit=True) as (controller, sink):
        refused = digest(workspace, "send", "example", env=env(controller.port, "tls", ca_file, password="wrong"))
        assert refused.returncode == 1 and not sink.received
        assert "SMTP login refused: 535" in refused.stderr and "DIGEST_SMTP_PASSWORD" in refused.stderr
        assert PASSWORD not in refused.stderr and "wrong" not in refused.stderr
        result = digest(workspace, "send", "example", env=env(controller.port, "tls", ca_file))
    assert result.returncode == 0 and f"sent {COUNT}, failed 0, skipped 0" in result.stdout
    assert len(sink.received) == COUNT
