"""The recommended Gmail prefilter loses no transaction email of the default demo mailbox."""

from fincoach.config import Settings
from fincoach.mail.base import TimeWindow
from fincoach.mail.gmail import RECOMMENDED_PREFILTER, GmailMailSource
from fincoach.mail.gmail_limiter import UserRateLimiter
from tests.oauth.emulator_server import running_emulator

# The default demo mailbox, as `fincoach demo` generates it.
DEMO_SEED = 7
DEMO_ADDRESS = "demo@fincoach.example"
DEMO_COUNT = 3000


def test_the_default_prefilter_is_the_recommended_one() -> None:
    assert Settings(_env_file=None).gmail_prefilter_query == RECOMMENDED_PREFILTER  # type: ignore[call-arg]


def test_recommended_prefilter_keeps_every_transaction_email() -> None:
    with running_emulator(address=DEMO_ADDRESS, count=DEMO_COUNT, seed=DEMO_SEED) as emu:

        def listed(prefilter: str) -> set[str]:
            source = GmailMailSource.connect(
                emu.settings(gmail_prefilter_query=prefilter),
                refresh_token=emu.refresh_token,
                user_key=emu.address,
                limiter=UserRateLimiter(100_000),
            )
            return set(source.list_message_ids(TimeWindow()))

        everything = listed("")
        kept = listed(RECOMMENDED_PREFILTER)
        with_transactions = {m.message_id for m in emu.mailbox if m.truth}

        assert len(everything) == DEMO_COUNT
        assert len(with_transactions) > 1000
        assert with_transactions <= kept
        saved = 1 - len(kept) / len(everything)
        # The mailbox is dated up to "now", so its content shifts by the minute; measured over
        # runs, 20-23 % of the messages never need fetching (promotions, social, forums).
        assert 0.15 < saved < 0.30
