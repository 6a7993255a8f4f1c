"""Deterministic demo mailboxes with their truth: the demo, the tests and the Gmail emulator.

`DemoMailbox(seed=...)` builds message i on demand from (seed, address, index, start, end), so
a thousand mailboxes of thousands of messages cost nothing until read.
"""

from fincoach.demo.mailbox import DemoMailbox
from fincoach.demo.types import TAXONOMY, DemoMessage, TruthTransaction
from fincoach.demo.writers import write_eml_dir, write_maildir, write_mbox, write_truth

__all__ = [
    "TAXONOMY",
    "DemoMailbox",
    "DemoMessage",
    "TruthTransaction",
    "write_eml_dir",
    "write_maildir",
    "write_mbox",
    "write_truth",
]
