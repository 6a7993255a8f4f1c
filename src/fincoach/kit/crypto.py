"""Encryption at rest for OAuth tokens and passwords: Fernet with key rotation."""

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr

from fincoach.kit.errors import FincoachError


class CredentialsUnreadable(FincoachError):
    """Stored credentials decrypt under none of the configured keys."""

    status_code = 500


class TokenCipher:
    """Encrypts with the first key; decrypts with any, so old keys keep working during rotation."""

    def __init__(self, keys: Sequence[SecretStr | str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is required")
        raw = [k.get_secret_value() if isinstance(k, SecretStr) else k for k in keys]
        self._fernet = MultiFernet([Fernet(k.encode()) for k in raw])

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken as exc:
            raise CredentialsUnreadable("stored credentials match no configured key") from exc

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt under the newest key."""
        return self._fernet.rotate(token)


def generate_key() -> str:
    return Fernet.generate_key().decode()
