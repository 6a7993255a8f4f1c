"""SQLAlchemy models, one file per table."""

from fincoach.kit.models import Base
from fincoach.models.api_key import ApiKey
from fincoach.models.mailbox import Mailbox, MailboxStatus, MailProvider
from fincoach.models.merchant_category import MerchantCategory
from fincoach.models.parse_candidate import ParseCandidate
from fincoach.models.sync_job import ACTIVE_STATUSES, EmailSyncJob, JobKind, JobStatus
from fincoach.models.transaction import Transaction
from fincoach.models.user import Role, User

__all__ = [
    "ACTIVE_STATUSES",
    "ApiKey",
    "Base",
    "EmailSyncJob",
    "JobKind",
    "JobStatus",
    "MailProvider",
    "Mailbox",
    "MailboxStatus",
    "MerchantCategory",
    "ParseCandidate",
    "Role",
    "Transaction",
    "User",
]
