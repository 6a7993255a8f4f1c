"""The service's processes for the process tests: the same helpers `fincoach stack` uses."""

from fincoach.devstack.processes import DEADLINE, Services, free_port

__all__ = ["DEADLINE", "Services", "free_port"]
