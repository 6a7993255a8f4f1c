"""The demo mailbox (seed 7, its default size) through `parse`: precision and recall against
the generator's truth, matching amount, currency, direction and position."""

from __future__ import annotations

from fincoach.demo import DemoMailbox
from fincoach.parsing import parse


def test_demo_mailbox_seed_7_precision_and_recall() -> None:
    box = DemoMailbox(seed=7)
    truth = extracted = correct = 0
    for message in box:
        got = {t.position: t for t in parse(message.raw, received_at=message.internal_date)}
        expected = {t.position: t for t in message.truth}
        truth += len(expected)
        extracted += len(got)
        for position, want in expected.items():
            t = got.get(position)
            if (
                t is not None
                and t.amount == want.amount
                and t.currency == want.currency
                and t.direction.value == want.direction
            ):
                correct += 1
    assert truth > 500  # the mailbox holds transactions to find
    assert correct / extracted >= 0.99
    assert correct / truth >= 0.99
