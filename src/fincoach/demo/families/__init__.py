"""The message families and their weights in a mailbox (weights are relative, not percent).

Transaction families weigh ~38 of ~100: the share of transaction emails in a default mailbox.
"""

from __future__ import annotations

from collections.abc import Callable

from fincoach.demo.families import (
    banks_eu,
    banks_in,
    banks_us,
    banks_world,
    chatter,
    noise,
    receipts,
    refunds,
    wallets,
)
from fincoach.demo.types import Ctx, Draft

Builder = Callable[[Ctx], Draft]

FAMILIES: tuple[tuple[str, float, Builder], ...] = (
    *banks_in.BUILDERS,
    *banks_us.BUILDERS,
    *banks_eu.BUILDERS,
    *banks_world.BUILDERS,
    *wallets.BUILDERS,
    *receipts.BUILDERS,
    *refunds.BUILDERS,
    *noise.BUILDERS,
    *chatter.BUILDERS,
)
