"""Typed factories for test data."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from fincoach.config import Settings
from fincoach.kit.crypto import TokenCipher
from fincoach.models import Mailbox, MailProvider, User
from fincoach.parsing.types import Direction, Instrument, ParsedTransaction


def create_user(session: Session, *, email: str | None = None) -> User:
    user = User(email=email or f"user-{uuid.uuid4().hex[:8]}@example.com")
    session.add(user)
    session.flush()
    return user


def create_mailbox(
    session: Session,
    *,
    user: User,
    provider: MailProvider = MailProvider.LOCAL,
    location: str | None = None,
) -> Mailbox:
    mailbox = Mailbox(user_id=user.id, provider=provider, address=user.email, location=location)
    session.add(mailbox)
    session.flush()
    return mailbox


def create_gmail_mailbox(
    session: Session, *, user: User, address: str, refresh_token: str, settings: Settings
) -> Mailbox:
    """A Gmail mailbox as the OAuth callback leaves it: the refresh token stored encrypted."""
    cipher = TokenCipher(settings.token_encryption_keys)
    mailbox = Mailbox(
        user_id=user.id,
        provider=MailProvider.GMAIL,
        address=address,
        credentials_encrypted=cipher.encrypt(refresh_token),
    )
    session.add(mailbox)
    session.flush()
    return mailbox


def parsed_transaction(
    *,
    position: int = 0,
    amount: str = "12.34",
    currency: str = "INR",
    merchant: str = "Swiggy",
    category: str = "food_and_drink",
) -> ParsedTransaction:
    return ParsedTransaction(
        position=position,
        amount=Decimal(amount),
        currency=currency,
        direction=Direction.DEBIT,
        merchant=merchant,
        merchant_normalized=merchant.lower(),
        account="1234",
        instrument=Instrument.UPI,
        occurred_at=datetime(2026, 5, 1, 10, 30, tzinfo=UTC),
        reference="612345678901",
        balance=Decimal("1000.00"),
        category=category,
        rule="test",
        confidence=0.9,
    )
