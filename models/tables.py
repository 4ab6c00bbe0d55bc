"""Imports every table module so that `SQLModel.metadata` knows the whole schema (for Alembic and tests)."""

from models.audit import AuditEntry
from models.forms import Disposition, Review, ReviewItem, UnitForm
from models.indicators import Indicator, IndicatorTarget, MonthlyTarget
from models.invites import Invite
from models.organisation import Member, MemberRole, Unit
from models.periods import Period
from models.realisasi import Evidence, Realisasi

__all__ = [
    "AuditEntry", "Disposition", "Evidence", "Indicator", "IndicatorTarget", "Invite", "Member", "MemberRole",
    "MonthlyTarget", "Period", "Realisasi", "Review", "ReviewItem", "Unit", "UnitForm",
]
