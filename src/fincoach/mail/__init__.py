"""Where messages come from: one MailSource protocol, one implementation per provider."""
