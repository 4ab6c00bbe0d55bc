"""Imports every table module so that `SQLModel.metadata` knows the whole schema (for Alembic and tests)."""

from models.archive import ArchivedDocument
from models.audit import AuditEntry
from models.chat_state import ChatState, GroupNotice, HandledUpdate
from models.forms import (
    Disposition,
    FollowUp,
    FormReceipt,
    PeriodReport,
    Review,
    ReviewItem,
    UnitForm,
    UnlockRequest,
)
from models.indicators import Indicator, IndicatorTarget, MonthlyTarget
from models.invites import Invite
from models.measurement_cycle import MeasurementCycle
from models.organisation import Member, MemberRole, Unit
from models.outbox import OutboxMessage
from models.periods import Period
from models.realisasi import Evidence, Realisasi
from models.reminders import Reminder

__all__ = [
    "ArchivedDocument", "AuditEntry", "ChatState", "Disposition", "Evidence", "FollowUp", "FormReceipt",
    "GroupNotice", "HandledUpdate", "Indicator", "IndicatorTarget", "Invite", "MeasurementCycle", "Member",
    "MemberRole", "MonthlyTarget", "OutboxMessage", "Period", "PeriodReport", "Realisasi", "Reminder", "Review",
    "ReviewItem", "Unit", "UnitForm", "UnlockRequest",
]
