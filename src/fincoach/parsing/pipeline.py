"""The whole pipeline: bytes -> decoded message -> text -> rules or generic -> transactions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from fincoach.parsing import generic
from fincoach.parsing.brands import brand, is_receipt, sender_brand
from fincoach.parsing.categories import categorize
from fincoach.parsing.dates import CLOCK_SKEW, EARLIEST, find_datetime
from fincoach.parsing.edge import admit
from fincoach.parsing.lexicon import lexicon_for
from fincoach.parsing.merchants import normalize_merchant
from fincoach.parsing.mime import DecodedMessage, decode_message
from fincoach.parsing.money import dollar_for_sender, find_money
from fincoach.parsing.rules import Rule, extract_with_rules, rules_for
from fincoach.parsing.text import body_text, normalize
from fincoach.parsing.types import ParsedTransaction, ParseResult

# When neither the text, the Date header nor the caller gives a time: a fixed, obviously
# artificial instant keeps parsing pure and deterministic. The sync never lets it reach the
# ledger: it passes the provider's receive time, or its own fetch time (sync/service.py).
UNKNOWN_TIME = datetime(1970, 1, 1, tzinfo=UTC)


def _extract(
    text: str, matched: tuple[Rule, ...], sender_address: str | None
) -> tuple[list[generic.Found], str]:
    hint = next((r.dollar_currency for r in matched if r.dollar_currency), None)
    hint = hint or dollar_for_sender(sender_address)
    if not matched:
        return generic.extract_all(text, dollar_hint=hint, sender_address=sender_address), "generic"
    lex = lexicon_for(text)
    # the one hard-negative screen: an OTP or a declined payment reports no transaction
    if lex.rejects(text[:3000]):
        return [], "generic"
    by_rule = extract_with_rules(lex, text, matched)
    if by_rule is not None:
        return [by_rule[0]], by_rule[1]
    found = generic.extract_all(
        text, dollar_hint=hint, sender_address=sender_address, lex=lex, screened=True
    )
    return found, "generic"


def _occurred_at(
    text: str, found: generic.Found, message: DecodedMessage, received_at: datetime | None
) -> datetime:
    """When the transaction happened, never after the message arrived.

    `received_at` is the provider's receive time (Gmail internalDate, a local file's time; the
    sync passes its fetch time when the provider has none). The text's date wins when it is
    plausible for that arrival, or for the Date header when there is no arrival
    (dates.find_datetime); else the Date header, unless it claims a time after the arrival;
    else the arrival itself. UNKNOWN_TIME only when nothing is known.
    """
    arrived = received_at.astimezone(UTC) if received_at is not None else None
    header = message.date
    if header is not None and (
        header < EARLIEST or (arrived is not None and header > arrived + CLOCK_SKEW)
    ):
        header = None  # a sender's clock at 1970 or in the future says nothing
    latest = arrived or header
    stamp = header or arrived
    near = text[max(0, found.anchor - 200) : found.anchor + 300]
    parsed = (
        (
            find_datetime(found.date_text, found.currency, not_after=latest)
            if found.date_text
            else None
        )
        or find_datetime(near, found.currency, not_after=latest)
        or find_datetime(text[:3000], found.currency, not_after=latest)
    )
    if parsed is not None:
        when, has_time = parsed
        # A date without a time: the message's instant is more precise when it is the same day.
        if not has_time and stamp is not None and abs((stamp - when).total_seconds()) < 86400:
            when = stamp
    else:
        when = stamp or UNKNOWN_TIME
    # Clamped to the provider's time only: a Date header is the sender's clock, which the text's
    # time may pass by a little (CLOCK_SKEW bounds it).
    return min(when, arrived) if arrived is not None else when


def _transaction(
    position: int,
    found: generic.Found,
    rule_id: str,
    text: str,
    message: DecodedMessage,
    received_at: datetime | None,
) -> ParsedTransaction:
    normalized = normalize_merchant(found.merchant) if found.merchant else None
    return ParsedTransaction(
        position=position,
        amount=found.amount,
        currency=found.currency,
        direction=found.direction,
        merchant=found.merchant,
        merchant_normalized=normalized,
        account=found.account,
        instrument=found.instrument,
        occurred_at=_occurred_at(text, found, message, received_at),
        reference=found.reference,
        balance=found.balance,
        category=categorize(
            normalized, text[:3000], found.direction, sender_brand(message.sender_address)
        ),
        rule=rule_id,
        confidence=found.confidence,
    )


def parse_detailed(raw: bytes, *, received_at: datetime | None = None) -> ParseResult:
    """Decode and extract one message, keeping what was learned along the way."""
    message = decode_message(raw)
    subject = message.subject or ""
    body = body_text(message)
    text = f"{normalize(subject)}\n{body}" if subject else body
    matched = rules_for(message.sender, subject)
    found, rule_id = _extract(text, matched, message.sender_address)
    named = all(f.merchant for f in found)
    if (
        found
        and rule_id == "generic"
        and is_receipt(text[:3000], message.sender, merchant_known=named)
    ):
        receipt_brand = brand(message.sender, body, subject, message.html)
        if receipt_brand:
            # a receipt's counterparty is its sender; activity rows keep their own descriptor
            single = len(found) == 1
            found = [
                f if f.merchant and not single else replace(f, merchant=receipt_brand)
                for f in found
            ]
    # The parser's edge: clean text fields, refuse amounts the ledger cannot hold (edge.py).
    transactions = tuple(
        admit(_transaction(position, f, rule_id, text, message, received_at))
        for position, f in enumerate(found)
    )
    return ParseResult(
        message_id=message.message_id,
        sender=message.sender,
        subject=message.subject,
        date=message.date,
        is_transaction=bool(transactions),
        transactions=transactions,
        rule=rule_id if transactions else None,
        had_amount=bool(transactions)
        or bool(find_money(text[:3000], sender_address=message.sender_address)),
    )


def parse(raw: bytes, *, received_at: datetime | None = None) -> list[ParsedTransaction]:
    """The transactions one raw email reports; `[]` for an ordinary message."""
    return list(parse_detailed(raw, received_at=received_at).transactions)
