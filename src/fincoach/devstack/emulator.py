"""What `fincoach gmail-emulator` prints, and the settings that point the service at it."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CALLBACK_PATH = "/api/v1/oauth/google/callback"


@dataclass(frozen=True)
class EmulatorInfo:
    """A running emulator, from the JSON lines it printed at start-up.

    `credentials` maps each served address to its line: address, client_id, client_secret and
    a refresh_token the emulator's token endpoint accepts (one OAuth client for all users).
    """

    base_url: str
    credentials: dict[str, dict[str, str]]

    @classmethod
    def from_lines(cls, lines: list[dict[str, Any]]) -> "EmulatorInfo":
        base = next(line["base_url"] for line in lines if "base_url" in line)
        users = {line["address"]: line for line in lines if "address" in line}
        return cls(base_url=str(base), credentials=users)

    @property
    def addresses(self) -> list[str]:
        return sorted(self.credentials)

    @property
    def client_id(self) -> str:
        return next(iter(self.credentials.values()))["client_id"]

    @property
    def client_secret(self) -> str:
        return next(iter(self.credentials.values()))["client_secret"]


def emulator_env(base_url: str, *, client_id: str, client_secret: str) -> dict[str, str]:
    """The environment variables (config.Settings) that send Gmail and OAuth to the emulator.

    OAUTHLIB_INSECURE_TRANSPORT=1 because the emulator speaks plain http, which oauthlib
    otherwise refuses; it must never be set against Google.
    """
    return {
        "GMAIL_API_ENDPOINT": base_url,
        "GOOGLE_AUTH_URI": f"{base_url}/o/oauth2/v2/auth",
        "GOOGLE_TOKEN_URI": f"{base_url}/token",
        "GOOGLE_REVOKE_URI": f"{base_url}/revoke",
        "GOOGLE_CLIENT_ID": client_id,
        "GOOGLE_CLIENT_SECRET": client_secret,
        "OAUTHLIB_INSECURE_TRANSPORT": "1",
    }


def write_env_file(path: Path, values: Mapping[str, str]) -> None:
    """`NAME=value` lines (for `set -a; . FILE; set +a` or a `.env`), readable by the owner only:
    the client secret is in it."""
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text("".join(f"{name}={value}\n" for name, value in values.items()))
