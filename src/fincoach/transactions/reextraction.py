"""SQL for re-extraction: which messages an older parser judged, and replacing what they gave.

A message is recorded by the parser version that judged it: through its transactions'
`parser_version` when it gave some, else as a ParseCandidate row when it had an amount but gave
none. `fincoach reparse` (sync/reparse.py) re-fetches exactly the messages whose version is
older than the current one, and `replace_transactions` makes the ledger what the current parser
says, keeping each row's id and the user's category overrides.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Insert, delete, select, union
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from fincoach.kit.models import utc_now
from fincoach.models import ParseCandidate, Transaction
from fincoach.transactions.repository import (
    COLUMNS,
    LedgerRow,
    _records,
    insert_transactions,
)

# Columns a re-extraction may change; the row's identity, id and creation time stay.
_KEPT = frozenset({"id", "user_id", "mailbox_id", "message_id", "position", "created_at"})
_CANDIDATE_TABLE = ParseCandidate.__table__


@dataclass(frozen=True, slots=True)
class Replaced:
    added: int
    updated: int  # rows whose extracted fields changed (a version bump alone is not counted)
    removed: int


def stale_message_ids(session: Session, *, mailbox_id: uuid.UUID, version: int) -> list[str]:
    """Ids of the mailbox's messages judged by a parser older than `version`, sorted."""
    judged_by_transactions = select(Transaction.message_id).where(
        Transaction.mailbox_id == mailbox_id, Transaction.parser_version < version
    )
    judged_as_candidates = select(ParseCandidate.message_id).where(
        ParseCandidate.mailbox_id == mailbox_id, ParseCandidate.parser_version < version
    )
    ids = session.scalars(union(judged_by_transactions, judged_as_candidates)).all()
    return sorted(ids)


def _upsert_candidates(session: Session) -> Insert:
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(_CANDIDATE_TABLE)
    result: Insert = statement.on_conflict_do_update(
        index_elements=["mailbox_id", "message_id"],
        set_={
            "parser_version": statement.excluded.parser_version,
            "judged_at": statement.excluded.judged_at,
        },
    )
    return result


def record_judgements(
    session: Session,
    *,
    user_id: uuid.UUID,
    mailbox_id: uuid.UUID,
    judged: Sequence[str],
    candidates: Iterable[str],
    version: int,
) -> None:
    """Remember which `judged` messages are candidates (an amount, no transaction) and by whom.

    A judged message that is not a candidate (it gave transactions, or has no amount) loses any
    candidate row it had, so a message is never both in the ledger and a candidate.
    """
    wanted = list(dict.fromkeys(candidates))
    others = sorted(set(judged) - set(wanted))
    if others:
        session.execute(
            delete(ParseCandidate).where(
                ParseCandidate.mailbox_id == mailbox_id, ParseCandidate.message_id.in_(others)
            )
        )
    if wanted:
        now = utc_now()
        session.execute(
            _upsert_candidates(session),
            [
                {
                    "id": uuid.uuid4(),
                    "user_id": user_id,
                    "mailbox_id": mailbox_id,
                    "message_id": message_id,
                    "parser_version": version,
                    "judged_at": now,
                }
                for message_id in wanted
            ],
        )


def replace_transactions(
    session: Session,
    *,
    user_id: uuid.UUID,
    mailbox_id: uuid.UUID,
    message_ids: Sequence[str],
    rows: Sequence[LedgerRow],
    overrides: dict[str, str],
    version: int,
) -> Replaced:
    """Make the ledger rows of `message_ids` exactly `rows`; idempotent.

    New positions are inserted, existing ones updated in place (same id, the category from the
    user's override when there is one), positions no longer produced are deleted.
    """
    if not message_ids:
        return Replaced(0, 0, 0)
    stored = {
        (t.message_id, t.position): t
        for t in session.scalars(
            select(Transaction).where(
                Transaction.user_id == user_id,
                Transaction.mailbox_id == mailbox_id,
                Transaction.message_id.in_(list(message_ids)),
            )
        )
    }
    wanted = {(row.message_id, row.parsed.position): row for row in rows}
    removed = [t for key, t in stored.items() if key not in wanted]
    for t in removed:
        session.delete(t)
    new: list[LedgerRow] = []
    updated = 0
    for key, row in wanted.items():
        current = stored.get(key)
        if current is None:
            new.append(row)
            continue
        (record,) = _records(
            [row],
            user_id=user_id,
            mailbox_id=mailbox_id,
            overrides=overrides,
            parser_version=version,
        )
        values = {k: v for k, v in zip(COLUMNS, record, strict=True) if k not in _KEPT}
        changed = any(getattr(current, k) != v for k, v in values.items() if k != "parser_version")
        for k, v in values.items():
            setattr(current, k, v)
        updated += int(changed)
    session.flush()
    added = insert_transactions(
        session,
        user_id=user_id,
        mailbox_id=mailbox_id,
        rows=new,
        overrides=overrides,
        parser_version=version,
    )
    return Replaced(added, updated, len(removed))
