"""The emulator's whole state, in one process: mailboxes, OAuth, quota, faults and counters.

One process by design: tokens, quota buckets, mail added while running and history live in
memory, so several uvicorn workers would each hold their own copy and disagree. One process
serves the benchmark's rate (batches keep the per-message cost to generating and encoding).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fincoach.mail.gmail_emulator.faults import Faults, FaultSettings
from fincoach.mail.gmail_emulator.oauth import OAuthServer
from fincoach.mail.gmail_emulator.quota import Quota, QuotaSettings
from fincoach.mail.gmail_emulator.sources import NewMail, simple_new_mail
from fincoach.mail.gmail_emulator.store import Mailbox, MessageSource, Store


@dataclass(slots=True)
class Counters:
    http_requests: int = 0
    api_calls: int = 0
    batches: int = 0
    batch_parts: int = 0
    messages_served: int = 0
    injected_5xx: int = 0
    injected_429: int = 0
    dropped_connections: int = 0
    revocations: int = 0  # grants ended through POST /revoke
    units_by_user: Counter[str] = field(default_factory=Counter)
    rate_limited_by_user: Counter[str] = field(default_factory=Counter)
    calls_by_method: Counter[str] = field(default_factory=Counter)

    def reset(self) -> None:
        fresh = Counters()
        for name in self.__slots__:
            setattr(self, name, getattr(fresh, name))

    def as_dict(self) -> dict[str, Any]:
        return {
            "http_requests": self.http_requests,
            "api_calls": self.api_calls,
            "batches": self.batches,
            "batch_parts": self.batch_parts,
            "messages_served": self.messages_served,
            "injected_5xx": self.injected_5xx,
            "injected_429": self.injected_429,
            "dropped_connections": self.dropped_connections,
            "revocations": self.revocations,
            "units_by_user": dict(self.units_by_user),
            "rate_limited_by_user": dict(self.rate_limited_by_user),
            "rate_limited_total": sum(self.rate_limited_by_user.values()),
            "calls_by_method": dict(self.calls_by_method),
        }


@dataclass(slots=True)
class EmulatorConfig:
    seed: int = 0
    quota: QuotaSettings = field(default_factory=QuotaSettings)
    faults: FaultSettings = field(default_factory=FaultSettings)
    history_retention_s: float = 7 * 24 * 3600.0  # Gmail keeps at least a week of history
    token_lifetime_s: int = 3599
    admin_open: bool = False  # admin endpoints answer loopback clients only unless this is set


class Emulator:
    """Everything one running emulator knows; the ASGI app is built around one of these."""

    def __init__(
        self,
        sources: dict[str, MessageSource],
        config: EmulatorConfig,
        *,
        new_mail: NewMail = simple_new_mail,
    ) -> None:
        self.config = config
        self.new_mail = new_mail
        self.store = Store()
        for address, source in sources.items():
            self.store.add(Mailbox(address, source, retention_s=config.history_retention_s))
        self.oauth = OAuthServer(
            seed=config.seed,
            addresses=list(sources),
            token_lifetime_s=config.token_lifetime_s,
        )
        self.quota = Quota(config.quota)
        self.faults = Faults(config.faults, seed=config.seed)
        self.counters = Counters()

    def credential_lines(self) -> list[dict[str, str]]:
        lines = []
        for mailbox in self.store:
            creds = self.oauth.credentials(mailbox.address)
            lines.append(
                {
                    "address": creds.address,
                    "client_id": creds.client_id,
                    "client_secret": creds.client_secret,
                    "refresh_token": creds.refresh_token,
                }
            )
        return lines
