"""The whole pipeline: bytes -> decoded message -> text -> rules or generic -> transactions."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from fincoach.parsing import generic
from fincoach.parsing.brands import brand, is_receipt, sender_brand
from fincoach.parsing.categories import categorize
from fincoach.parsing.dates import find_datetime
from fincoach.parsing.fields import find_account, find_merchant, find_reference
from fincoach.parsing.lexicon import lexicon
from fincoach.parsing.merchants import normalize_merchant
from fincoach.parsing.mime import DecodedMessage, decode_message
from fincoach.parsing.money import currency_of, dollar_for_sender, find_money, parse_number
from fincoach.parsing.rules import Pattern, Rule, rules_for
from fincoach.parsing.scripts import scripts_of
from fincoach.parsing.text import body_text, normalize
from fincoach.parsing.types import Direction, ParsedTransaction, ParseResult

# When neither the text, the Date header nor the caller gives a time: a fixed, obviously
# artificial instant keeps parsing pure and deterministic.
UNKNOWN_TIME = datetime(1970, 1, 1, tzinfo=UTC)
_DIRECTION_WORDS = re.compile(r"credit|cr\b|received|deposit|refund|abono", re.IGNORECASE)


def _from_rule(rule: Rule, pattern: Pattern, m: re.Match[str], text: str) -> generic.Found | None:
    groups = {k: v for k, v in m.groupdict().items() if v}
    currency = None
    if "currency" in groups:
        currency = currency_of(groups["currency"].strip(), text, rule.dollar_currency)
    amount = parse_number(groups.get("amount", ""), currency)
    if amount is None or amount <= 0:
        return None
    if pattern.direction is not None:
        direction = pattern.direction
    elif "direction" in groups:
        word = groups["direction"]
        direction = Direction.CREDIT if _DIRECTION_WORDS.match(word) else Direction.DEBIT
    else:
        direction = Direction.DEBIT
        verbs = lexicon().verbs(lexicon().blank(text[max(0, m.start() - 100) : m.end()]))
        if verbs:
            direction = verbs[0].direction
    if currency is None:
        marked = [x for x in find_money(m.group(0), dollar_hint=rule.dollar_currency) if x.marked]
        currency = marked[0].currency if marked else None
    if "balance" in groups:
        balance = parse_number(groups["balance"], currency)
    else:
        moneys = find_money(text, dollar_hint=rule.dollar_currency)
        chosen = next((x for x in moneys if x.start <= m.start("amount") < x.end), None)
        balance = generic.find_balance(lexicon(), text, moneys, chosen) if chosen else None
    region = text[max(0, m.start() - 200) : m.end() + 300]
    merchant = groups.get("merchant")
    return generic.Found(
        amount=amount,
        currency=currency,
        direction=direction,
        merchant=(
            merchant.strip(" .,;:-_")
            if merchant
            else find_merchant(text, direction, m.start("amount"))
        ),
        account=(groups.get("account") or "")[-4:] or find_account(region),
        reference=groups.get("reference") or find_reference(region),
        balance=balance,
        instrument=pattern.instrument or generic.instrument_of(region),
        anchor=m.start("amount"),
        confidence=0.95,
    )


def _extract(
    text: str, matched: tuple[Rule, ...], sender_address: str | None
) -> tuple[list[generic.Found], str]:
    if matched and not lexicon(scripts_of(text)).rejects(text[:3000]):
        for rule in matched:
            for pattern in rule.patterns:
                m = pattern.regex.search(text)
                if m is not None:
                    found = _from_rule(rule, pattern, m, text)
                    if found is not None:
                        return [found], f"{rule.id}.{pattern.id}"
    hint = next((r.dollar_currency for r in matched if r.dollar_currency), None)
    hint = hint or dollar_for_sender(sender_address)
    return generic.extract_all(text, dollar_hint=hint), "generic"


def _occurred_at(
    text: str, found: generic.Found, message: DecodedMessage, received_at: datetime | None
) -> datetime:
    near = text[max(0, found.anchor - 200) : found.anchor + 300]
    parsed = find_datetime(near, found.currency) or find_datetime(text[:3000], found.currency)
    header = message.date or (received_at.astimezone(UTC) if received_at else None)
    if parsed is not None:
        when, has_time = parsed
        # A date without a time: the header's instant is more precise when it is the same day.
        if not has_time and header is not None and abs((header - when).total_seconds()) < 86400:
            return header
        return when
    return header or UNKNOWN_TIME


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
    transactions = tuple(
        _transaction(position, f, rule_id, text, message, received_at)
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
    )


def parse(raw: bytes, *, received_at: datetime | None = None) -> list[ParsedTransaction]:
    """The transactions one raw email reports; `[]` for an ordinary message."""
    return list(parse_detailed(raw, received_at=received_at).transactions)
