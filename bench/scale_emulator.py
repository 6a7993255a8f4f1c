"""The scale benchmark's Gmail emulator: N generated mailboxes served on demand, Gmail-like.

Run by bench_scale.py as its own process (so its CPU is measured apart from the workers):

    python bench/scale_emulator.py --users 1000 --emails 1500 --end 1790000000 \
        --credentials /tmp/creds.jsonl

Every mailbox is a `DemoMailbox` (the demo generator's mix) dated over the 179 days before
`--end`: messages are generated from the seed when asked for, never held (1.5 M emails would not
fit in memory); only a 28-byte-a-message index is kept per user. Gmail's per-user quota (6,000
units a minute) is on, and every HTTP request waits `--latency-ms` (default 100 ms, inside the
50-150 ms a Gmail call takes from a server near Google's front ends). It writes the credentials
(one JSON line per user) to `--credentials` and prints one line, `{"base_url": ...}`, when ready.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fincoach.demo import DemoMailbox
from fincoach.mail.gmail_emulator import (
    DemoFactory,
    Emulator,
    EmulatorConfig,
    FaultSettings,
    MessageSource,
    QuotaSettings,
    create_app,
)
from fincoach.mail.gmail_emulator.server import base_url, bind, make_server
from fincoach.mail.gmail_emulator.sources import demo_address

SPAN = timedelta(days=179)  # inside a 6-month (180-day) initial sync window, with a day to spare
DEFAULT_LATENCY_MS = 100


def mailbox(seed: int, index: int, emails: int, end: datetime) -> DemoMailbox:
    """The mailbox of user `index`; bench_scale.py rebuilds the same one to check the ledger."""
    address = demo_address(index)
    return DemoMailbox(seed=seed, address=address, count=emails, start=end - SPAN, end=end)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--emails", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end", type=int, required=True, help="epoch seconds of the newest mail")
    parser.add_argument("--latency-ms", type=int, default=DEFAULT_LATENCY_MS)
    parser.add_argument("--quota-units", type=int, default=6000)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--credentials", type=Path, required=True)
    args = parser.parse_args()

    end = datetime.fromtimestamp(args.end, UTC)
    sources: dict[str, MessageSource] = {
        demo_address(i): mailbox(args.seed, i, args.emails, end) for i in range(args.users)
    }
    config = EmulatorConfig(
        seed=args.seed,
        quota=QuotaSettings(args.quota_units),
        faults=FaultSettings(latency_ms=args.latency_ms),
    )
    emulator = Emulator(sources, config, new_mail=DemoFactory(args.seed).new_mail)
    with args.credentials.open("w") as out:
        for line in emulator.credential_lines():
            out.write(json.dumps(line) + "\n")
    sock = bind("127.0.0.1", args.port)
    print(json.dumps({"base_url": base_url(sock)}), flush=True)
    make_server(create_app(emulator)).run(sockets=[sock])


if __name__ == "__main__":
    main()
