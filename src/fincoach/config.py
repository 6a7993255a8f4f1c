"""One settings object, read from environment variables and `.env`.

Names follow the deployment guide (DATABASE_URL, CELERY_BROKER_URL, ...). Values may use the
guide's forms: `DATABASE_URL=postgresql://user:pass@host/db` is turned into the psycopg 3 driver
URL SQLAlchemy needs, so nobody has to know about driver names.
"""

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from fincoach.kit.key_strength import fernet_key_weakness, secret_weakness

# Keys that ship in the repository for development only; production refuses them.
DEVELOPMENT_TOKEN_KEY = "ZmluY29hY2gtZGV2ZWxvcG1lbnQta2V5LTAwMDAwMDA="  # noqa: S105
DEVELOPMENT_SECRET_KEY = "fincoach-development-secret-change-me"  # noqa: S105 (refused outside dev)


def normalize_database_url(url: str) -> str:
    """Accept the usual DSN spellings and pick the psycopg 3 driver for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        # A refused setting's error must not print the input: it holds every secret.
        hide_input_in_errors=True,
    )

    environment: Literal["development", "test", "production"] = "development"

    database_url: str = "postgresql://postgres@localhost:5432/fincoach"
    celery_broker_url: str = "redis://localhost:6379/0"
    celery_result_backend: str = "redis://localhost:6379/1"

    email_fetch_days: int = Field(180, ge=1, le=3650)
    email_batch_size: int = Field(100, ge=1, le=1000)
    # Upper bound on error_log entries kept per job; failed_emails still counts every failure.
    error_log_limit: int = Field(200, ge=1)
    sync_interval_minutes: int = Field(30, ge=1)
    # An active job whose row has not changed for this long, and that no worker holds locked,
    # lost its worker or its message: the reaper (sync.reaper) sends it again from its checkpoint.
    job_stall_seconds: int = Field(900, ge=1)

    # Gmail API and Google OAuth. Tests and benchmarks point these at our emulator.
    gmail_api_endpoint: str = "https://gmail.googleapis.com"
    google_auth_uri: str = "https://accounts.google.com/o/oauth2/v2/auth"
    google_token_uri: str = "https://oauth2.googleapis.com/token"  # noqa: S105
    # Where a mailbox's grant is ended when it is removed (RFC 7009-style, Google's endpoint).
    google_revoke_uri: str = "https://oauth2.googleapis.com/revoke"
    google_client_id: str = ""
    google_client_secret: SecretStr = SecretStr("")
    google_redirect_uri: str = "http://localhost:8000/api/v1/oauth/google/callback"
    gmail_batch_size: int = Field(50, ge=1, le=100)
    gmail_user_quota_per_minute: int = Field(6000, ge=1)
    # Gmail's own classification: promotions, social and forums hold no bank or card alert. On
    # the demo mailbox this skips about 22 % of the fetches and loses no transaction email; set
    # it empty to fetch everything (a receipt Gmail files under Promotions is then kept too).
    gmail_prefilter_query: str = "-category:promotions -category:social -category:forums"

    # Fernet keys, newest first; older keys still decrypt so keys can be rotated.
    token_encryption_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=lambda: [SecretStr(DEVELOPMENT_TOKEN_KEY)]
    )
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET_KEY)
    # Keys SECRET_KEY had before a rotation: tokens they signed are still accepted until they
    # expire. Nothing new is signed with them.
    previous_secret_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)

    # API authentication (see SECURITY.md): lifetime of the JWTs the CLI and the API issue.
    access_token_ttl_minutes: int = Field(60, ge=1, le=60 * 24 * 365)
    # When set, /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; when empty it is
    # open, and must then be reachable only from the internal network (see docs/service.md).
    metrics_token: SecretStr = SecretStr("")
    # Per-user limit on starting syncs: at most this many started in any window.
    sync_start_limit: int = Field(10, ge=1)
    sync_start_window_seconds: int = Field(3600, ge=1)

    # Largest request body the API reads; larger ones get 413 before (declared) or while
    # (chunked) being read. Every JSON body FinCoach takes is a few hundred bytes.
    max_request_body_bytes: int = Field(1024 * 1024, ge=1024)

    log_level: str = "INFO"
    log_json: bool = True
    # Beat's state file; empty: $XDG_STATE_HOME/fincoach/celerybeat-schedule (worker.py).
    beat_schedule_file: Path | None = None

    @field_validator("token_encryption_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        # An empty variable (compose's `${TOKEN_ENCRYPTION_KEYS:-}`) means "not set".
        if isinstance(value, str):
            keys = [key.strip() for key in value.split(",") if key.strip()]
            return keys or [DEVELOPMENT_TOKEN_KEY]
        return value

    @field_validator("previous_secret_keys", mode="before")
    @classmethod
    def _split_previous(cls, value: object) -> object:
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value

    @field_validator("secret_key", mode="before")
    @classmethod
    def _unset_secret(cls, value: object) -> object:
        return DEVELOPMENT_SECRET_KEY if value == "" else value

    @field_validator("database_url")
    @classmethod
    def _driver_url(cls, value: str) -> str:
        return normalize_database_url(value)

    @model_validator(mode="after")
    def _refuse_weak_keys_in_production(self) -> "Settings":
        """In production, refuse every weak key at once, naming the settings, never the keys.

        Previous keys too: a key still accepted for verification is as good as the current one
        to whoever knows it (kit.key_strength says what weak means).
        """
        if self.environment != "production":
            return self
        problems = [
            *_weak_secrets("SECRET_KEY", [self.secret_key]),
            *_weak_secrets("PREVIOUS_SECRET_KEYS", self.previous_secret_keys, numbered=True),
            *_weak_fernet_keys(self.token_encryption_keys),
        ]
        if self.metrics_token.get_secret_value():  # empty: /metrics stays internal instead
            problems += _weak_secrets("METRICS_TOKEN", [self.metrics_token])
        if problems:
            raise ValueError("weak keys refused in production: " + "; ".join(problems))
        return self


def _weak_secrets(name: str, keys: list[SecretStr], *, numbered: bool = False) -> list[str]:
    found = []
    for n, key in enumerate(keys, start=1):
        reason = secret_weakness(key.get_secret_value(), published=(DEVELOPMENT_SECRET_KEY,))
        if reason:
            where = f"{name} (key {n} of {len(keys)})" if numbered else name
            found.append(f"{where} {reason}")
    return found


def _weak_fernet_keys(keys: list[SecretStr]) -> list[str]:
    found = []
    for n, key in enumerate(keys, start=1):
        reason = fernet_key_weakness(key.get_secret_value(), published=(DEVELOPMENT_TOKEN_KEY,))
        if reason:
            found.append(f"TOKEN_ENCRYPTION_KEYS (key {n} of {len(keys)}) {reason}")
    return found


@lru_cache
def get_settings() -> Settings:
    return Settings()
