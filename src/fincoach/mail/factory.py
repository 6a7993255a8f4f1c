"""One place that turns a mailbox connection into its MailSource."""

from fincoach.config import Settings
from fincoach.kit.crypto import TokenCipher
from fincoach.kit.errors import BadRequest
from fincoach.mail.base import AuthorizationRevoked, MailSource
from fincoach.mail.gmail import GmailMailSource
from fincoach.mail.local import LocalMailSource
from fincoach.models import Mailbox, MailboxStatus, MailProvider


def open_source(mailbox: Mailbox, settings: Settings) -> MailSource:
    if mailbox.provider is MailProvider.LOCAL:
        if not mailbox.location:
            raise BadRequest("a local mailbox needs a location")
        return LocalMailSource(mailbox.location)
    if mailbox.provider is MailProvider.GMAIL:
        if mailbox.status is MailboxStatus.REAUTH_REQUIRED or not mailbox.credentials_encrypted:
            raise AuthorizationRevoked("this gmail mailbox must be reconnected first")
        refresh_token = TokenCipher(settings.token_encryption_keys).decrypt(
            mailbox.credentials_encrypted
        )
        return GmailMailSource.connect(
            settings, refresh_token=refresh_token, user_key=mailbox.address
        )
    raise BadRequest(f"provider {mailbox.provider.value} is not available yet")
