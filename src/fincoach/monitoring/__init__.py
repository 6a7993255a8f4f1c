"""Operational signals: Prometheus metrics and structured JSON logs."""
