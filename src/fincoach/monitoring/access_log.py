"""The access log names the path of each request, never its query string.

Query strings carry what must not sit in logs: OAuth `code` and `state` on the callback,
`login_hint` addresses, the ledger's filters (`merchant=`, amounts, dates). Path parameters are
ids only. The rule is the simplest that holds for every route, present and future: cut every
logged request target at its `?`.

uvicorn writes the access log (`'%s - "%s %s HTTP/%s" %d'`, the target third). A filter on the
`uvicorn.access` logger rewrites the record before any handler or formatter sees it, whichever
logging configuration is in force (ours, or uvicorn's own when it is started directly), and it
keeps the arguments' shape, which uvicorn's AccessFormatter unpacks.
"""

import logging

ACCESS_LOGGER = "uvicorn.access"


class StripQueryStrings(logging.Filter):
    """Cut the query string off every request target in a record's arguments and message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_without_query(arg) for arg in record.args)
        elif isinstance(record.msg, str) and not record.args:
            # A line formatted before it was logged: cut each word that is a target.
            record.msg = " ".join(_cut(word) for word in record.msg.split(" "))
        return True


def _without_query(value: object) -> object:
    return _cut(value) if isinstance(value, str) else value


def _cut(word: str) -> str:
    if word.lstrip('"').startswith("/") and "?" in word:
        return word.split("?", 1)[0]
    return word


_STRIP = StripQueryStrings()


def strip_query_strings_from_access_log() -> None:
    """Install the filter (idempotent: one instance, added once)."""
    logging.getLogger(ACCESS_LOGGER).addFilter(_STRIP)
