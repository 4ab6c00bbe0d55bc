"""Imports every table module so that `SQLModel.metadata` knows the whole schema (for Alembic and tests)."""

from sqlalchemy import MetaData
from sqlmodel import SQLModel

from models.collection.forms import (
    Disposition,
    FollowUp,
    FollowUpIndicator,
    FormReceipt,
    PeriodReport,
    Review,
    ReviewItem,
    UnitForm,
    UnlockRequest,
)
from models.collection.realisasi import Evidence, Realisasi
from models.measurement.cycle import MeasurementCycle
from models.messaging.chat_state import ChatState, GroupNotice, HandledUpdate
from models.messaging.inbox import InboxUpdate
from models.messaging.outbox import OutboxMessage
from models.messaging.pace import ChatPace
from models.office.audit import AuditEntry
from models.office.invites import Invite
from models.office.organisation import Member, MemberRole, Unit
from models.plan.indicators import Indicator, IndicatorTarget, MonthlyTarget
from models.plan.periods import Period
from models.reporting.archive import ArchivedDocument
from models.timing.reminders import Reminder

__all__ = [
    "ArchivedDocument", "AuditEntry", "ChatPace", "ChatState", "Disposition", "Evidence", "FollowUp",
    "FollowUpIndicator", "FormReceipt",
    "GroupNotice", "HandledUpdate", "InboxUpdate", "Indicator", "IndicatorTarget", "Invite", "MeasurementCycle",
    "Member", "MemberRole", "MonthlyTarget", "OutboxMessage", "Period", "PeriodReport", "Realisasi", "Reminder",
    "Review", "ReviewItem", "Unit", "UnitForm", "UnlockRequest",
]


def all_tables() -> MetaData:
    """The metadata of every table the models define."""
    return SQLModel.metadata
