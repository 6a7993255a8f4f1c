"""The OAuth `state`: a sealed, expiring token carrying the user id, the PKCE verifier and the
digest of the starting browser's binding nonce (see oauth.binding).

Why a sealed token and not a database row: the callback can be verified by any API replica with
no lookup, nothing to clean up, and no race between writing the row and the browser coming back.
Fernet gives what the state needs from a well-kept library: authenticated encryption (the
verifier stays secret in the browser's URL, the user id cannot be swapped) and a timestamp
checked against a TTL. Its key is derived from settings.secret_key with HKDF, under its own
label, so it is never the key that protects stored tokens.

Replay within the TTL is harmless: Google's code is single-use and is bound to this verifier by
PKCE, so a state without the matching fresh code is worthless; and a state with its code is
worthless in any browser but the one holding the nonce whose digest the state seals.
"""

import base64
import json
import uuid
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from fincoach.config import Settings
from fincoach.kit.errors import BadRequest

STATE_TTL_S = 600  # as long as Google keeps an authorization code valid
_HKDF_INFO = b"fincoach oauth state v1"


class InvalidState(BadRequest):
    """The callback's state is missing, forged, or older than STATE_TTL_S."""


@dataclass(frozen=True, slots=True)
class StatePayload:
    user_id: uuid.UUID  # who started the connect: the mailbox is attached to this user only
    verifier: str  # PKCE code verifier
    browser_digest: str  # hex SHA-256 of the starting browser's binding nonce


def _fernet(settings: Settings) -> Fernet:
    secret = settings.secret_key.get_secret_value().encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def seal_state(settings: Settings, payload: StatePayload, *, issued_at: int | None = None) -> str:
    body = json.dumps(
        {"u": str(payload.user_id), "v": payload.verifier, "b": payload.browser_digest}
    ).encode()
    fernet = _fernet(settings)
    token = fernet.encrypt(body) if issued_at is None else fernet.encrypt_at_time(body, issued_at)
    return token.decode()


def open_state(settings: Settings, state: str) -> StatePayload:
    try:
        body = json.loads(_fernet(settings).decrypt(state.encode(), ttl=STATE_TTL_S))
        return StatePayload(uuid.UUID(body["u"]), str(body["v"]), str(body["b"]))
    except InvalidToken:
        raise InvalidState("the sign-in link is invalid or has expired; start again") from None
    except (ValueError, KeyError, TypeError):
        raise InvalidState("the sign-in state is malformed; start again") from None
