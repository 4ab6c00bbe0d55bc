"""A unit's form for a period, its reviews by the Sekretaris, and the Kepala Dinas's disposition."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.store.types import UTCDateTime, enum_type, utcnow


class FormStatus(StrEnum):
    DRAFT = "draft"
    # Sent by the unit and waiting for its kabid's approval before the Sekretaris (the `kabid_review` rule).
    # The value is short enough for the column as it has always been (no migration).
    WAITING_KABID = "at_kabid"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"


class ReviewDecision(StrEnum):
    APPROVE = "approve"
    RETURN = "return"


class DispositionDecision(StrEnum):
    AGREE = "setuju"
    ARAHAN = "arahan"


class UnitForm(SQLModel, table=True):
    __tablename__ = "unit_forms"
    __table_args__ = (sa.UniqueConstraint("unit_id", "period_id"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    period_id: int = Field(foreign_key="periods.id", index=True)
    status: FormStatus = Field(default=FormStatus.DRAFT, sa_type=enum_type(FormStatus))
    # Bumped on every transition; a transition names the version it saw, so two quick presses change once.
    version: int = Field(default=1)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Review(SQLModel, table=True):
    __tablename__ = "reviews"

    id: int | None = Field(default=None, primary_key=True)
    form_id: int = Field(foreign_key="unit_forms.id", index=True)
    reviewer_id: int | None = Field(default=None, foreign_key="members.id")
    decision: ReviewDecision = Field(sa_type=enum_type(ReviewDecision))
    arahan: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReviewItem(SQLModel, table=True):
    """An indicator returned for completion, with the arahan for it."""

    __tablename__ = "review_items"
    __table_args__ = (sa.UniqueConstraint("review_id", "indicator_id"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="reviews.id", index=True)
    indicator_id: int = Field(foreign_key="indicators.id")
    arahan: str | None = Field(default=None, sa_type=sa.Text)
    # set when the item was reopened by a granted unlock request (the unit asked; there is no arahan)
    unlock_request_id: int | None = Field(default=None, foreign_key="unlock_requests.id")
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # answered again by the unit
    resolved_by_id: int | None = Field(default=None, foreign_key="members.id")


class UnlockStatus(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class UnlockRequest(SQLModel, table=True):
    """A unit asks to change an approved (locked) value; the Sekretaris grants or refuses."""

    __tablename__ = "unlock_requests"

    id: int | None = Field(default=None, primary_key=True)
    form_id: int = Field(foreign_key="unit_forms.id", index=True)
    indicator_id: int = Field(foreign_key="indicators.id")
    requested_by_id: int = Field(foreign_key="members.id")
    reason: str | None = Field(default=None, sa_type=sa.Text)
    status: UnlockStatus = Field(default=UnlockStatus.PENDING, sa_type=enum_type(UnlockStatus))
    decided_by_id: int | None = Field(default=None, foreign_key="members.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PeriodReport(SQLModel, table=True):
    """The Sekretaris reported the approved period to the Kepala Dinas (SOP step 11)."""

    __tablename__ = "period_reports"

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="periods.id", unique=True)
    reported_by_id: int | None = Field(default=None, foreign_key="members.id")
    reported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Disposition(SQLModel, table=True):
    __tablename__ = "dispositions"

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="periods.id", unique=True)  # one disposition per period
    kepala_id: int | None = Field(default=None, foreign_key="members.id")
    decision: DispositionDecision = Field(sa_type=enum_type(DispositionDecision))
    arahan: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # "Setuju" may be undone until then; the period is archived at that moment (`models.reporting.report`).
    # None: archived with the disposition (arahan, and every disposition before the undo existed).
    archive_after: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FollowUp(SQLModel, table=True):
    """The Kepala Dinas's arahan as a follow-up item of a unit (the rencana aksi for the next stage)."""

    __tablename__ = "follow_ups"

    id: int | None = Field(default=None, primary_key=True)
    disposition_id: int = Field(foreign_key="dispositions.id", index=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    arahan: str = Field(sa_type=sa.Text)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    done_by_id: int | None = Field(default=None, foreign_key="members.id")  # who pressed "Sudah ditindaklanjuti"
    note: str | None = Field(default=None, sa_type=sa.Text)  # their short note on what was done


class FollowUpIndicator(SQLModel, table=True):
    """An indicator a follow-up concerns (chosen by the Kepala Dinas with the arahan)."""

    __tablename__ = "follow_up_indicators"

    follow_up_id: int = Field(foreign_key="follow_ups.id", primary_key=True)
    indicator_id: int = Field(foreign_key="indicators.id", primary_key=True)


class FormReceipt(SQLModel, table=True):
    """A member opened the period's form for the first time: the receipt of the form (SOP step 6)."""

    __tablename__ = "form_receipts"
    __table_args__ = (sa.UniqueConstraint("period_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="periods.id", index=True)
    member_id: int = Field(foreign_key="members.id")
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
