"""Connecting a Gmail account: Google's OAuth code flow with PKCE, tokens stored encrypted."""
