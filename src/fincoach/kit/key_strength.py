"""Is a key good enough for production? Reasons a key is weak, never the key itself.

A signing secret (HS256 for JWTs, the HKDF input of the OAuth state key, a bearer token) is weak
when it is short (an HMAC key of a few characters is brute-forced offline from one token), is a
value published in this repository, reads like a placeholder someone meant to replace, or has
too little variety to be random. A Fernet key is weak when it is not a Fernet key, is the
published development key, or is text or a repeated pattern encoded in base64 rather than
random bytes (`Fernet.generate_key()`).

The word list and the variety floors are set so that a generated key never trips them: a random
url-safe key of 32+ characters has ~25 distinct characters, and a given 6+ letter word turns up
in one with a probability below 1e-7.
"""

import base64
import binascii
from collections.abc import Collection

MIN_SECRET_LENGTH = 32
# Even 32 random hex digits show fewer than 8 distinct ones with a probability near 1e-7;
# a repeated character or pattern shows a handful.
MIN_DISTINCT_CHARACTERS = 8
# 32 random bytes have ~30 distinct values; a pattern or a counter has a handful.
MIN_DISTINCT_KEY_BYTES = 16
FERNET_KEY_BYTES = 32
PLACEHOLDER_WORDS = (
    "change",
    "replace",
    "placeholder",
    "example",
    "default",
    "development",
    "insecure",
    "secret",
    "password",
    "fincoach",
    "xxxxxx",
)
HOW_TO_MAKE_A_KEY = "generate one with `openssl rand -base64 48`"
HOW_TO_MAKE_A_FERNET_KEY = (
    "generate one with `python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'`"
)


def secret_weakness(value: str, *, published: Collection[str] = ()) -> str | None:
    """Why `value` may not sign or guard anything in production; None when it may.

    `published` are values shipped in the repository (development defaults).
    """
    if value in published:
        return f"is the published development default; {HOW_TO_MAKE_A_KEY}"
    if len(value) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters; {HOW_TO_MAKE_A_KEY}"
    lowered = value.lower()
    if any(word in lowered for word in PLACEHOLDER_WORDS):
        return f"looks like a placeholder, not a random key; {HOW_TO_MAKE_A_KEY}"
    if len(set(value)) < MIN_DISTINCT_CHARACTERS:
        return f"has too little variety to be random; {HOW_TO_MAKE_A_KEY}"
    return None


def fernet_key_weakness(value: str, *, published: Collection[str] = ()) -> str | None:
    """Why `value` may not encrypt stored credentials in production; None when it may."""
    if value in published:
        return f"is the published development key; {HOW_TO_MAKE_A_FERNET_KEY}"
    try:
        raw = base64.urlsafe_b64decode(value.encode())
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != FERNET_KEY_BYTES:
        return f"is not a Fernet key (32 url-safe base64-encoded bytes); {HOW_TO_MAKE_A_FERNET_KEY}"
    if all(0x20 <= byte < 0x7F for byte in raw):
        # Random bytes are all printable with a probability of (95/256)^32, about 1e-14.
        return f"encodes text, not random bytes; {HOW_TO_MAKE_A_FERNET_KEY}"
    if len(set(raw)) < MIN_DISTINCT_KEY_BYTES:
        return f"has too little variety to be random; {HOW_TO_MAKE_A_FERNET_KEY}"
    return None
