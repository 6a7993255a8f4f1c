"""One place that turns a mailbox connection into its MailSource."""

from fincoach.config import Settings
from fincoach.kit.errors import BadRequest
from fincoach.mail.base import MailSource
from fincoach.mail.local import LocalMailSource
from fincoach.models import Mailbox, MailProvider


def open_source(mailbox: Mailbox, settings: Settings) -> MailSource:
    if mailbox.provider is MailProvider.LOCAL:
        if not mailbox.location:
            raise BadRequest("a local mailbox needs a location")
        return LocalMailSource(mailbox.location)
    raise BadRequest(f"provider {mailbox.provider.value} is not available yet")
