from datetime import UTC, datetime

import pytest

from fincoach.demo import DemoMailbox, DemoMessage

START = datetime(2025, 1, 1, tzinfo=UTC)
END = datetime(2025, 6, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def mailbox() -> DemoMailbox:
    return DemoMailbox(seed=7, start=START, end=END)


@pytest.fixture(scope="session")
def messages(mailbox: DemoMailbox) -> list[DemoMessage]:
    return list(mailbox)
