"""FinCoach: turn a mailbox into a correct, categorised ledger of your money."""

__version__ = "0.1.0"
