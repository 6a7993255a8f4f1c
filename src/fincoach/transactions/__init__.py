"""The ledger: transactions, stored exactly once, and how they are read back."""
