"""With ENVIRONMENT=production, every key setting refuses weak keys at start-up.

The finding: with the development secret (or any short key) in PREVIOUS_SECRET_KEYS, production
still verified tokens signed with it: an admin JWT forged from the public development secret got
200. Every key setting is checked here, each kind of weak key, and that the error names the
setting without ever quoting the key.
"""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from fincoach.config import DEVELOPMENT_SECRET_KEY, DEVELOPMENT_TOKEN_KEY, Settings

SRC = Path(__file__).resolve().parents[2] / "src"


def strong_secret() -> str:
    return secrets.token_urlsafe(48)


def strong_fernet() -> str:
    return Fernet.generate_key().decode()


def production(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "production",
        "secret_key": strong_secret(),
        "token_encryption_keys": strong_fernet(),
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def refusal(**overrides: Any) -> str:
    with pytest.raises(ValidationError) as raised:
        production(**overrides)
    text = str(raised.value)
    for value in overrides.values():
        for key in str(value).split(","):
            if len(key) >= 8:
                assert key not in text, "the error quotes a key"
    return text


# Weak signing secrets: (what, value). The values are the kinds people deploy by mistake.
WEAK_SECRETS = [
    ("the development default", DEVELOPMENT_SECRET_KEY),
    ("short", "k9!Zq2#Lm"),
    ("a placeholder", "please-change-me-before-going-to-production-2026"),
    ("a placeholder", "your-super-secret-jwt-signing-key-goes-here-ok"),
    ("one character repeated", "s" * 48),
    ("too little variety", "abababababababababababababababab1212"),
]


def test_production_starts_with_strong_keys() -> None:
    settings = production(
        previous_secret_keys=f"{strong_secret()},{strong_secret()}",
        token_encryption_keys=f"{strong_fernet()},{strong_fernet()}",
        metrics_token=strong_secret(),
    )
    assert len(settings.previous_secret_keys) == 2
    assert len(settings.token_encryption_keys) == 2


def test_the_development_secret_in_previous_keys_is_refused() -> None:
    """The reproduction: a forged admin JWT verified through PREVIOUS_SECRET_KEYS."""
    text = refusal(previous_secret_keys=f"{strong_secret()},{DEVELOPMENT_SECRET_KEY}")
    assert "PREVIOUS_SECRET_KEYS" in text and "development" in text


@pytest.mark.parametrize(("what", "value"), WEAK_SECRETS)
@pytest.mark.parametrize("setting", ["secret_key", "previous_secret_keys", "metrics_token"])
def test_weak_signing_keys_are_refused_in_every_setting(
    setting: str, what: str, value: str
) -> None:
    text = refusal(**{setting: value})
    assert setting.upper() in text, text


def test_a_short_key_among_several_previous_keys_is_refused_and_named() -> None:
    text = refusal(previous_secret_keys=f"{strong_secret()},{strong_secret()},short-key-1")
    assert "PREVIOUS_SECRET_KEYS" in text and "3" in text and "32 characters" in text


@pytest.mark.parametrize(
    ("what", "value"),
    [
        ("the development default", DEVELOPMENT_TOKEN_KEY),
        ("not a Fernet key", "not-a-fernet-key"),
        # 32 bytes, valid for Fernet, but a passphrase encoded rather than a random key.
        (
            "text, not random",
            base64.urlsafe_b64encode(b"correct horse battery staple!!!!").decode(),
        ),
        ("no variety", base64.urlsafe_b64encode(bytes(32)).decode()),
    ],
)
def test_weak_encryption_keys_are_refused_old_ones_included(what: str, value: str) -> None:
    for keys in (value, f"{strong_fernet()},{value}"):
        text = refusal(token_encryption_keys=keys)
        assert "TOKEN_ENCRYPTION_KEYS" in text, (what, text)


def test_every_weak_key_is_named_at_once() -> None:
    text = refusal(secret_key="short", previous_secret_keys=DEVELOPMENT_SECRET_KEY)
    assert "SECRET_KEY" in text and "PREVIOUS_SECRET_KEYS" in text


def test_development_and_test_keep_their_defaults() -> None:
    for environment in ("development", "test"):
        settings = Settings(_env_file=None, environment=environment)  # type: ignore[call-arg]
        assert settings.secret_key.get_secret_value() == DEVELOPMENT_SECRET_KEY


@pytest.mark.parametrize("command", ["api", "worker", "beat"])
def test_the_service_refuses_to_start_with_a_weak_previous_key(
    command: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "ENVIRONMENT": "production",
        "SECRET_KEY": strong_secret(),
        "TOKEN_ENCRYPTION_KEYS": strong_fernet(),
        "PREVIOUS_SECRET_KEYS": DEVELOPMENT_SECRET_KEY,
        # Nothing may be reached: a process that got past its settings would fail differently.
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
    }
    done = subprocess.run(
        [sys.executable, "-c", "from fincoach.cli import main; main()", command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # no .env here
    )
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert "refusing to start" in done.stderr and "PREVIOUS_SECRET_KEYS" in done.stderr
    assert DEVELOPMENT_SECRET_KEY not in done.stderr + done.stdout
    assert env["SECRET_KEY"] not in done.stderr + done.stdout
