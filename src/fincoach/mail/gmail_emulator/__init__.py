"""A Gmail API emulator: a real HTTP server the official Google client cannot tell from Gmail.

Serves users.getProfile, messages.list/get, history.list, the batch endpoint and Google's OAuth
endpoints for many users at once, with Gmail's quota, errors and injectable faults, plus /admin
endpoints to change the world while a client syncs.

    emulator = Emulator({"a@x.example": source}, EmulatorConfig(seed=1))
    with serve_in_thread(create_app(emulator)) as base_url: ...
"""

from fincoach.mail.gmail_emulator.app import create_app
from fincoach.mail.gmail_emulator.faults import FaultSettings
from fincoach.mail.gmail_emulator.quota import QuotaSettings
from fincoach.mail.gmail_emulator.server import serve_in_thread
from fincoach.mail.gmail_emulator.sources import DemoFactory, folder_sources, stored_from_raw
from fincoach.mail.gmail_emulator.state import Emulator, EmulatorConfig
from fincoach.mail.gmail_emulator.store import MailRecord, MessageSource, StoredMessage

__all__ = [
    "DemoFactory",
    "Emulator",
    "EmulatorConfig",
    "FaultSettings",
    "MailRecord",
    "MessageSource",
    "QuotaSettings",
    "StoredMessage",
    "create_app",
    "folder_sources",
    "serve_in_thread",
    "stored_from_raw",
]
