"""`fincoach gmail-emulator`: serve generated or on-disk mailboxes through a Gmail API emulator."""

import json
from pathlib import Path

import typer

from fincoach.cli import app
from fincoach.devstack.emulator import emulator_env, write_env_file
from fincoach.mail.gmail_emulator import (
    DemoFactory,
    Emulator,
    EmulatorConfig,
    FaultSettings,
    MessageSource,
    QuotaSettings,
    create_app,
    folder_sources,
)
from fincoach.mail.gmail_emulator.server import base_url, bind, make_server
from fincoach.mail.gmail_emulator.sources import demo_sources, unserved_entries


@app.command("gmail-emulator")
def gmail_emulator(
    port: int = typer.Option(8765, help="Port to listen on (0 = any free port)."),
    host: str = typer.Option("127.0.0.1", help="Address to bind; admin answers loopback only."),
    users: int = typer.Option(3, help="Generated users (user0001@fincoach.example, ...)."),
    emails_per_user: int = typer.Option(1500, help="Generated messages per user."),
    seed: int = typer.Option(7, help="Seed of the generated mail and of the credentials."),
    mailbox_dir: Path | None = typer.Option(
        None,
        exists=True,
        file_okay=False,
        help="Serve DIR/<address> (Maildir, mbox file or .eml folder) instead of generated mail.",
    ),
    latency_ms: int = typer.Option(0, help="Latency added to every HTTP request."),
    error_rate: float = typer.Option(0.0, help="Share of calls answered 503 backendError."),
    rate_limit_rate: float = typer.Option(0.0, help="Share of calls answered 429 at random."),
    drop_rate: float = typer.Option(0.0, help="Share of HTTP requests whose connection drops."),
    quota_units: int = typer.Option(6000, help="Quota units per user per minute."),
    quota_status: int = typer.Option(429, help="Status of a quota overrun: 429 or 403."),
    no_quota: bool = typer.Option(False, "--no-quota", help="Do not meter quota."),
    history_retention_s: float = typer.Option(7 * 86400.0, help="Seconds of history kept."),
    admin_open: bool = typer.Option(False, help="Let non-loopback clients use /admin."),
    env_file: Path | None = typer.Option(
        None,
        dir_okay=False,
        help="Also write the settings that point FinCoach at this emulator to FILE (NAME=value "
        "lines: GMAIL_API_ENDPOINT, GOOGLE_*_URI, client id and secret, "
        "OAUTHLIB_INSECURE_TRANSPORT), for `set -a; . FILE; set +a`.",
    ),
) -> None:
    """Run a Gmail API emulator; prints one JSON credentials line per user, then the base URL."""
    if quota_status not in (403, 429):
        raise typer.BadParameter("--quota-status must be 403 or 429")
    factory = DemoFactory(seed)
    sources = (
        _mailbox_dir_sources(mailbox_dir)
        if mailbox_dir is not None
        else demo_sources(factory, users, emails_per_user)
    )
    config = EmulatorConfig(
        seed=seed,
        quota=QuotaSettings(quota_units, quota_status, enabled=not no_quota),
        faults=FaultSettings(latency_ms, error_rate, rate_limit_rate, drop_rate),
        history_retention_s=history_retention_s,
        admin_open=admin_open,
    )
    emulator = Emulator(sources, config, new_mail=factory.new_mail)
    sock = bind(host, port)
    for line in emulator.credential_lines():
        typer.echo(json.dumps(line))
    url = base_url(sock)
    if env_file is not None:  # one OAuth client serves every user
        oauth = emulator.oauth
        settings = emulator_env(url, client_id=oauth.client_id, client_secret=oauth.client_secret)
        write_env_file(env_file, settings)
    typer.echo(json.dumps({"base_url": url}))
    make_server(create_app(emulator)).run(sockets=[sock])


_LAYOUT = (
    "one entry per user, named by the user's address: DIR/alice@example.com as a Maildir or a "
    "folder of .eml files, or DIR/alice@example.com.mbox"
)


def _mailbox_dir_sources(mailbox_dir: Path) -> dict[str, MessageSource]:
    """The folder's mailboxes; says on stderr what was skipped and how many users are served.

    Exit 2 when nothing can be served: an emulator with no user only answers 401s later.
    """
    sources = folder_sources(mailbox_dir)
    skipped = unserved_entries(mailbox_dir)
    names = ", ".join(skipped[:5]) + (", ..." if len(skipped) > 5 else "")
    if not sources:
        found = f"{len(skipped)} entries, none named by an address: {names}" if skipped else "empty"
        typer.echo(
            f"gmail-emulator: error: no mailbox to serve in {mailbox_dir} ({found}); "
            f"expected {_LAYOUT}",
            err=True,
        )
        raise typer.Exit(2)
    if skipped:
        typer.echo(
            f"gmail-emulator: warning: not serving {len(skipped)} entries of {mailbox_dir} "
            f"whose name is not an address ({names}); expected {_LAYOUT}",
            err=True,
        )
    typer.echo(f"gmail-emulator: serving {len(sources)} users from {mailbox_dir}", err=True)
    return sources
