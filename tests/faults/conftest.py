"""The fault suite's private servers, available to every module here."""

from tests.faults.servers import private_postgres, private_redis

__all__ = ["private_postgres", "private_redis"]
