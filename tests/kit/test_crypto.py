import pytest

from fincoach.kit.crypto import CredentialsUnreadable, TokenCipher, generate_key


def test_round_trip_and_ciphertext_hides_the_token() -> None:
    cipher = TokenCipher([generate_key()])
    token = cipher.encrypt("1//refresh-token")
    assert b"refresh-token" not in token
    assert cipher.decrypt(token) == "1//refresh-token"


def test_rotation_keeps_old_tokens_readable_and_moves_them_to_the_new_key() -> None:
    old, new = generate_key(), generate_key()
    token = TokenCipher([old]).encrypt("secret")
    both = TokenCipher([new, old])
    assert both.decrypt(token) == "secret"
    rotated = both.rotate(token)
    assert TokenCipher([new]).decrypt(rotated) == "secret"
    with pytest.raises(CredentialsUnreadable):
        TokenCipher([old]).decrypt(rotated)
