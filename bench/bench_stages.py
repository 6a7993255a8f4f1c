"""Single-core microbenchmark of the sync pipeline's stages, in emails per second.

    make bench-stages              # or: python bench/bench_stages.py [--emails 3000]

Over the demo generator's mix (the mail the scale benchmark serves), one process, CPU time:
  gmail answer   reading Gmail batch answers (multipart split, JSON, base64url) as the worker does
  MIME decode    fincoach.parsing.mime.decode_message
  HTML to text   fincoach.parsing.text.body_text (on decoded messages)
  extraction     the rest of fincoach.parsing.parse (rules, generic extractor, dates, categories)
  parse (all)    fincoach.parsing.parse end to end
  insert (COPY)  fincoach.transactions.repository.insert_transactions into a fresh PostgreSQL
                 database (COPY + INSERT .. SELECT .. ON CONFLICT), per batch of 250 emails
  insert (rows)  the same rows as a multi-row INSERT (the SQLite path), for comparison
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from scale_stack import drop_database, fresh_database
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from fincoach.demo import DemoMailbox
from fincoach.mail.gmail_batch import decode_raw
from fincoach.mail.gmail_client import _http_response
from fincoach.mail.gmail_emulator import Emulator, EmulatorConfig, QuotaSettings
from fincoach.mail.gmail_emulator.batch import answer_batch
from fincoach.models import MailProvider
from fincoach.parsing import parse
from fincoach.parsing.mime import decode_message
from fincoach.parsing.text import body_text
from fincoach.transactions import repository
from fincoach.transactions.repository import LedgerRow
from fincoach.users.service import get_or_create_mailbox, get_or_create_user

ADDRESS = "stages@fincoach.example"
BATCH = 250


def cpu(fn: Callable[[], Any]) -> float:
    started = time.process_time()
    fn()
    return time.process_time() - started


def gmail_answers(box: DemoMailbox, count: int) -> list[tuple[str, bytes]]:
    """Real batch answers of the emulator, 50 `messages.get(format=raw)` each."""
    emulator = Emulator({ADDRESS: box}, EmulatorConfig(seed=1, quota=QuotaSettings(enabled=False)))
    token = emulator.oauth._issue_access(ADDRESS)
    answers = []
    for start in range(0, count, 50):
        parts = []
        for i in range(start, min(start + 50, count)):
            parts.append(
                f"--b\r\nContent-Type: application/http\r\nContent-ID: <x + {i}>\r\n\r\n"
                f"GET /gmail/v1/users/me/messages/{box.message_id(i)}?format=raw HTTP/1.1\r\n"
                f"Authorization: Bearer {token}\r\n\r\n"
            )
        body = ("".join(parts) + "--b--\r\n").encode()
        answers.append(answer_batch(emulator, 'multipart/mixed; boundary="b"', body, None))
    return answers


def read_answers(answers: list[tuple[str, bytes]]) -> int:
    """What LeanBatchHttpRequest and the batch callback do with an answer."""
    count = 0
    for content_type, payload in answers:
        boundary = content_type.split("boundary=", 1)[1].strip('"')
        for part in payload.decode().split("--" + boundary)[1:]:
            if part.startswith("--"):
                break
            _, _, inner = part.lstrip("\r\n").partition("\r\n\r\n")
            _, body = _http_response(inner)
            decode_raw(json.loads(body)["raw"])
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=3000)
    parser.add_argument(
        "--database-admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    n = args.emails
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    box = DemoMailbox(seed=11, address=ADDRESS, count=n, end=end)
    raws = [m.raw for m in box]
    for raw in raws[:200]:  # warm compiled-pattern caches
        parse(raw)

    results: list[tuple[str, float, int]] = []  # (stage, cpu seconds, emails)
    answers = gmail_answers(box, n)
    results.append(("gmail answer", cpu(lambda: read_answers(answers)), n))
    decoded: list[Any] = []
    results.append(("MIME decode", cpu(lambda: decoded.extend(decode_message(r) for r in raws)), n))
    results.append(("HTML to text", cpu(lambda: [body_text(d) for d in decoded]), n))
    parsed: list[LedgerRow] = []

    def parse_all() -> None:
        for message, raw in zip(box, raws, strict=True):
            parsed.extend(LedgerRow(message.message_id, t) for t in parse(raw))

    whole = cpu(parse_all)
    rest = whole - results[1][1] - results[2][1]
    results.append(("extraction", rest, n))
    results.append(("parse (all)", whole, n))

    name, url = fresh_database(args.database_admin_url)
    try:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with Session(engine) as session:
            user = get_or_create_user(session, email=ADDRESS)
            mailbox = get_or_create_mailbox(
                session, user=user, provider=MailProvider.GMAIL, address=ADDRESS
            )
            user_id, mailbox_id = user.id, mailbox.id
            session.commit()
        size = max(1, round(BATCH * len(parsed) / n))
        chunks = [parsed[i : i + size] for i in range(0, len(parsed), size)]
        inserts = (
            ("insert (COPY)", repository._copy_insert),
            ("insert (rows)", repository._values_insert),
        )
        for label, insert in inserts:
            with Session(engine) as session:
                session.connection()  # connected before the clock starts

                def run(label: str = label, insert: Callable[..., int] = insert) -> None:
                    for chunk in chunks:
                        # fresh message ids per method, so each inserts every row
                        fresh = [LedgerRow(f"{label}-{r.message_id}", r.parsed) for r in chunk]
                        records = repository._records(
                            fresh, user_id=user_id, mailbox_id=mailbox_id, overrides={}
                        )
                        assert insert(session, records) == len(records)
                        session.commit()

                results.append((label, cpu(run), n))
        engine.dispose()
    finally:
        drop_database(args.database_admin_url, name)

    print(f"\nstages, one core, {n} demo emails ({len(parsed)} transactions)")
    print(f"  {'stage':<16}{'emails/s':>12}{'ms/email':>10}")
    for stage, seconds, count in results:
        rate = count / seconds if seconds > 0 else float("inf")
        print(f"  {stage:<16}{rate:>12,.0f}{1000 * seconds / count:>10.3f}")


if __name__ == "__main__":
    main()
