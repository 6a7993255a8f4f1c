"""`fincoach demo`: the embedded default — SQLite, a generated mailbox, the real pipeline."""

import json
import shutil
import time
from decimal import Decimal
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session

from fincoach.cli import app
from fincoach.config import Settings, get_settings
from fincoach.db import make_engine, make_session_factory
from fincoach.demo import DemoMailbox, write_eml_dir, write_truth
from fincoach.mail.local import LocalMailSource
from fincoach.migrations import runner
from fincoach.models import EmailSyncJob, JobKind, MailProvider
from fincoach.parsing.currencies import digits_of
from fincoach.sync import service
from fincoach.sync.runner import run_job
from fincoach.transactions.repository import count_for_user
from fincoach.transactions.summary import LedgerSummary, summarize
from fincoach.users import removal
from fincoach.users.service import get_or_create_mailbox, get_or_create_user

DEMO_ADDRESS = "demo@fincoach.example"
_MARKER = "demo.json"  # the seed and size the mailbox was generated with


@app.command()
def demo(
    db: Path = typer.Option(Path("fincoach-demo.db"), "--db", help="SQLite file for the ledger."),
    seed: int = typer.Option(7, help="Seed of the generated mailbox."),
    emails: int = typer.Option(3000, min=1, max=200_000, help="Messages in the mailbox."),
) -> None:
    """Generate a realistic mailbox and turn it into a ledger, with no servers at all."""
    console = Console()
    started = time.perf_counter()
    mail_dir = db.with_name(db.stem + "-mailbox")
    fresh_mailbox = _prepare_mailbox(console, mail_dir, seed=seed, emails=emails)
    url = f"sqlite:///{db.resolve()}"
    runner.upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    settings = get_settings().model_copy(update={"database_url": url})
    with sessions() as session:
        if fresh_mailbox:
            _forget_previous_demo(console, session, settings, db)
        user = get_or_create_user(session, email=DEMO_ADDRESS)
        mailbox_row = get_or_create_mailbox(
            session,
            user=user,
            provider=MailProvider.LOCAL,
            address=DEMO_ADDRESS,
            location=str(mail_dir.resolve()),
        )
        before = count_for_user(session, user.id)
        job = service.start_job(session, mailbox=mailbox_row, kind=JobKind.INITIAL, months=6)
        session.commit()
        user_id, job_id = user.id, job.id

    with Progress(
        TextColumn("[bold]Syncing demo mailbox"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "{task.fields[found]} transactions ({task.fields[new]} new), "
            "{task.fields[failed]} failed"
        ),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("sync", total=None, found=0, new=0, failed=0)

        def show(job: EmailSyncJob) -> None:
            progress.update(
                task,
                total=job.total_emails or None,
                completed=job.processed_emails,
                found=job.parsed_transactions,
                new=job.new_transactions,
                failed=job.failed_emails,
            )

        job = run_job(
            sessions,
            job_id=job_id,
            source=LocalMailSource(mail_dir),
            settings=settings,
            on_progress=show,
        )

    with sessions() as session:
        after = count_for_user(session, user_id)
        summary = summarize(session, user_id)
    engine.dispose()
    _print_summary(console, job, summary, new=after - before)
    console.print(f"\nLedger: [bold]{db.resolve()}[/]  mailbox: {mail_dir.resolve()}")
    console.print(f"Done in {time.perf_counter() - started:.1f} s.")
    if job.status.value != "completed":
        raise typer.Exit(1)


def _prepare_mailbox(console: Console, mail_dir: Path, *, seed: int, emails: int) -> bool:
    """Write the demo mailbox unless `mail_dir` already holds the one asked for; True if written.

    The mailbox is reused when seed and size match, so a second run shows that a re-sync adds
    nothing; another `--seed` or `--emails` replaces it (said on the console), since syncing
    the old one would silently show a different mailbox than the one asked for.
    """
    wanted = {"seed": seed, "emails": emails}
    marker = mail_dir / _MARKER
    if mail_dir.exists():
        try:
            made = json.loads(marker.read_text())
        except (OSError, ValueError):
            made = None  # written before the marker existed, or not by us: cannot tell
        if made == wanted:
            console.print(
                f"Re-syncing the demo mailbox in {mail_dir} ({emails} emails, seed {seed})."
            )
            return False
        was = f"{made['emails']} emails, seed {made['seed']}" if made else "unknown size and seed"
        console.print(
            f"The demo mailbox in {mail_dir} has {was}; replacing it with {emails} emails, "
            f"seed {seed}, and starting the demo ledger afresh."
        )
        shutil.rmtree(mail_dir)
    mailbox = DemoMailbox(seed=seed, address=DEMO_ADDRESS, count=emails)
    with console.status(f"Generating {emails} demo emails in {mail_dir} ..."):
        write_eml_dir(mailbox, mail_dir)
        write_truth(mailbox, mail_dir / "truth.jsonl")
        marker.write_text(json.dumps(wanted))
    return True


def _forget_previous_demo(console: Console, session: Session, settings: Settings, db: Path) -> None:
    """A new mailbox gets a new ledger: the demo user of an earlier run goes, with its data."""
    gone = removal.delete_user(
        session, settings, user=get_or_create_user(session, email=DEMO_ADDRESS)
    )
    session.commit()
    if gone.transactions:
        console.print(f"Removed the previous demo's {gone.transactions} transactions from {db}.")


def _print_summary(
    console: Console, job: EmailSyncJob, summary: LedgerSummary, *, new: int
) -> None:
    console.print(
        f"\n[bold]{job.processed_emails}[/] emails scanned, "
        f"[bold]{job.parsed_transactions}[/] transactions found ({new} new; "
        f"{summary.debits} debits, {summary.credits} credits), "
        f"[bold]{job.failed_emails}[/] failed; job {job.status.value}."
    )
    console.print(_pivot("Spend by month", "month", summary.spend_by_month))
    console.print(_pivot("Spend by category", "category", summary.spend_by_category))
    merchants = Table(title="Top merchants")
    for column in ("merchant", "currency", "payments", "spent"):
        merchants.add_column(column, justify="right" if column in ("payments", "spent") else "left")
    for merchant, currency, count, spent in summary.top_merchants:
        places = digits_of(currency)
        merchants.add_row(
            merchant, currency, str(count), f"{spent:,.{2 if places is None else places}f}"
        )
    console.print(merchants)


def _pivot(title: str, label: str, cells: dict[tuple[str, str], Decimal]) -> Table:
    """Rows by `label`, one column per currency: money in different currencies is never summed."""
    currencies = sorted({currency for _, currency in cells})
    rows = list(dict.fromkeys(key for key, _ in cells))
    table = Table(title=f"{title} (debits, whole units)")
    table.add_column(label)
    for currency in currencies:
        table.add_column(currency, justify="right")
    for row in rows:
        table.add_row(row, *(_money(cells.get((row, c))) for c in currencies))
    return table


def _money(value: Decimal | None) -> str:
    # Whole units keep a table of seven currencies inside an 80-column terminal.
    return "" if value is None else f"{value:,.0f}"
