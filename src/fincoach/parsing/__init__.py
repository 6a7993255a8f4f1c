"""Pure parsing: raw email bytes in, transactions out. No database, no network, no global state.

>>> from fincoach.parsing import parse
>>> parse(raw_bytes, received_at=when)  # -> list[ParsedTransaction]
"""

from fincoach.parsing.pipeline import parse, parse_detailed
from fincoach.parsing.types import Direction, Instrument, ParsedTransaction, ParseResult

__all__ = [
    "Direction",
    "Instrument",
    "ParseResult",
    "ParsedTransaction",
    "parse",
    "parse_detailed",
]
