"""Storing one batch's judgements: its transactions and the parser version that judged them.

A sync inserts what is new (idempotent); a re-extraction (job kind `reparse`) replaces the rows
of the messages it parsed again. Both record which messages were candidates (an amount, no
transaction), so a later parser version knows what to look at again (transactions.reextraction).
"""

from collections.abc import Sequence

from sqlalchemy.orm import Session

from fincoach.models import EmailSyncJob, JobKind
from fincoach.transactions import reextraction
from fincoach.transactions.repository import (
    LedgerRow,
    StoreOutcome,
    category_overrides,
    insert_isolating_refusals,
)


def store_batch(
    session: Session,
    *,
    job: EmailSyncJob,
    rows: Sequence[LedgerRow],
    judged: Sequence[str],
    candidates: Sequence[str],
    version: int,
) -> StoreOutcome:
    """Store `rows` from the `judged` messages (parsed by parser `version`); flushes only.

    `candidates` are the judged messages that had an amount but gave no transaction. In a
    re-extraction only `judged` messages are replaced: one that could not be fetched keeps its
    rows until a later run. A sync stores around a message whose data the ledger refuses
    (`StoreOutcome.refused`); that message is not recorded as judged, so a later parser looks
    at it again. `StoreOutcome.inserted` counts the rows new to the ledger (in a
    re-extraction, the rows it added).
    """
    overrides = category_overrides(session, job.user_id)
    if job.kind is JobKind.REPARSE:
        replaced = reextraction.replace_transactions(
            session,
            user_id=job.user_id,
            mailbox_id=job.mailbox_id,
            message_ids=judged,
            rows=rows,
            overrides=overrides,
            version=version,
        )
        stored = StoreOutcome(replaced.added)
    else:
        stored = insert_isolating_refusals(
            session,
            user_id=job.user_id,
            mailbox_id=job.mailbox_id,
            rows=rows,
            overrides=overrides,
            parser_version=version,
        )
    reextraction.record_judgements(
        session,
        user_id=job.user_id,
        mailbox_id=job.mailbox_id,
        judged=[m for m in judged if m not in stored.refused],
        candidates=candidates,
        version=version,
    )
    return stored
