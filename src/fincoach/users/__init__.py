"""Users and their mailbox connections."""
