"""DKIM signatures (relaxed/relaxed, RSA-SHA256) on mail delivered through a real SMTP server,
checked with dkimpy's verifier against the test's public key."""

from __future__ import annotations

import base64

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from digest import config as cfg
from digest import pipeline
from digest.dkim import canonical_body, canonical_header
from digest.errors import ConfigError
from digest.transport import SmtpTransport
from tests.helpers.sendkit import NOW, address, make_workspace, smtp_env
from tests.helpers.smtp import smtp_server

SELECTOR, DOMAIN = "digest2026", "garden.example.org"


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def key_file(key, tmp_path):
    path = tmp_path / "dkim.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return path


def dns_for(key):
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def dnsfunc(name, timeout=5):
        return record if name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode() or name == f"{SELECTOR}._domainkey.{DOMAIN}".encode() else None

    return dnsfunc


def test_every_delivered_copy_verifies_and_tampering_is_detected(tmp_path, key, key_file):
    workspace = make_workspace(tmp_path, 4, text_only={2})
    ws = pipeline.Workspace(workspace / "config", workspace / "state", workspace / "archive")
    with smtp_server() as (controller, sink):
        env = smtp_env(controller.port, DIGEST_DKIM_KEY_FILE=str(key_file), DIGEST_DKIM_SELECTOR=SELECTOR, DIGEST_DKIM_DOMAIN=DOMAIN)
        settings = cfg.smtp_settings(env)
        report = pipeline.send(ws, "example", lambda: SmtpTransport(settings), env, NOW, log=lambda line: None)
    assert len(report.sent) == 4 and len(sink.received) == 4
    dnsfunc = dns_for(key)
    for received in sink.received:
        raw = received.data
        assert raw.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=garden.example.org;")
        assert max(len(line) for line in raw.split(b"\r\n")) <= 998
        assert dkim.verify(raw, dnsfunc=dnsfunc), received.rcpt_tos
        tampered = raw.replace(b"Unsubscribe", b"Unsubscrib3", 1)
        assert tampered != raw and not dkim.verify(tampered, dnsfunc=dnsfunc)
        resubjected = raw.replace(b"Subject: Garden", b"Subject: Garten", 1)
        assert resubjected != raw and not dkim.verify(resubjected, dnsfunc=dnsfunc)
    text_only = next(r for r in sink.received if r.rcpt_tos == [address(2)])
    assert text_only.message.get_content_type() == "text/plain"


def test_relaxed_canonicalization_follows_rfc_6376_examples():
    # RFC 6376 section 3.4.5
    assert canonical_header(b"A", b" X\r\n") == b"a:X\r\n"
    assert canonical_header(b"B ", b" Y\t\r\n\tZ  \r\n") == b"b:Y Z\r\n"
    assert canonical_body(b" C \r\nD \t E\r\n\r\n\r\n") == b" C\r\nD E\r\n"
    assert canonical_body(b"") == b"" and canonical_body(b"\r\n\r\n") == b""


def test_key_settings_are_checked(tmp_path, key_file):
    from digest.dkim import dkim_signer

    assert dkim_signer({}) is None
    with pytest.raises(ConfigError, match="DIGEST_DKIM_SELECTOR, DIGEST_DKIM_DOMAIN not"):
        dkim_signer({"DIGEST_DKIM_KEY_FILE": str(key_file)})
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    with pytest.raises(ConfigError) as error:
        dkim_signer({"DIGEST_DKIM_KEY_FILE": str(bad), "DIGEST_DKIM_SELECTOR": "s", "DIGEST_DKIM_DOMAIN": "d.example"})
    assert error.value.where == f"DIGEST_DKIM_KEY_FILE={bad}" and "openssl genrsa" in error.value.fix
