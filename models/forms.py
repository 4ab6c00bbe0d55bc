"""A unit's form for a period, its reviews by the Sekretaris, and the Kepala Dinas's disposition."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, enum_type, utcnow


class FormStatus(StrEnum):
    DRAFT = "draft"
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


class Disposition(SQLModel, table=True):
    __tablename__ = "dispositions"

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="periods.id", index=True)
    kepala_id: int | None = Field(default=None, foreign_key="members.id")
    decision: DispositionDecision = Field(sa_type=enum_type(DispositionDecision))
    arahan: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
