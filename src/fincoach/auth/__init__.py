"""Who is calling and what they may reach: JWTs, hashed API keys, roles, the sync rate limit."""
