"""Sync jobs: list a mailbox's mail, parse it in batches, store the ledger, report progress."""
