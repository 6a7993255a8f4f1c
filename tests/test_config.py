import pytest
from pydantic import ValidationError

from fincoach.config import Settings


def test_guide_database_url_gets_the_psycopg_driver() -> None:
    settings = Settings(database_url="postgresql://user:pass@host/db")
    assert settings.database_url == "postgresql+psycopg://user:pass@host/db"


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_FETCH_DAYS", "90")
    monkeypatch.setenv("EMAIL_BATCH_SIZE", "50")
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://redis:6379/0")
    settings = Settings()
    assert (settings.email_fetch_days, settings.email_batch_size) == (90, 50)
    assert settings.celery_broker_url == "redis://redis:6379/0"


def test_defaults_match_the_guide() -> None:
    settings = Settings(_env_file=None)
    assert settings.email_fetch_days == 180
    assert settings.email_batch_size == 100


def test_production_refuses_development_secrets() -> None:
    with pytest.raises(ValidationError, match="TOKEN_ENCRYPTION_KEYS"):
        Settings(environment="production", _env_file=None)


def test_encryption_keys_split_on_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEYS", "a, b")
    keys = [k.get_secret_value() for k in Settings().token_encryption_keys]
    assert keys == ["a", "b"]


def test_empty_secret_variables_mean_unset_and_production_still_refuses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEYS", "")
    monkeypatch.setenv("SECRET_KEY", "")
    assert len(Settings(_env_file=None).token_encryption_keys) == 1
    monkeypatch.setenv("ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="TOKEN_ENCRYPTION_KEYS"):
        Settings(_env_file=None)
