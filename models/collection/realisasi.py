"""Realisasi values and their evidence.

Realisasi is append-only: each change of an indicator's value for a period adds a row with the next revision
number, so the full history (who entered what, when, and why) stays; the current value is the highest
revision. Evidence (bukti dukung) belongs to the indicator and period, so it survives value corrections. It is a
file (a photo or a document, kept by its Telegram file id and a stored copy) or a typed link or short text, kept in
the row itself (`Evidence.text`); file names are cleaned and length-limited before they are stored
(`clean_file_name`).

The approved value of an indicator in a period (`approved_realisasi_of`) is the revision its unit's form was last
approved with: the highest revision entered at or before the form's `approved_at`. While a form is approved it is
locked, so that is its current revision; a form unlocked and returned after approval keeps its last approval's
values as the approved ones until it is approved again (which moves `approved_at`). A form never approved has
no approved value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, select

from models.collection.forms import FormStatus, UnitForm
from models.plan.indicators import Indicator
from models.store.types import DecimalValue, UTCDateTime, enum_type, utcnow


class EntrySource(StrEnum):
    CHAT = "chat"
    IMPORT = "import"


class Realisasi(SQLModel, table=True):
    __tablename__ = "realisasi"
    __table_args__ = (sa.UniqueConstraint("indicator_id", "period_id", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicators.id", index=True)
    period_id: int = Field(foreign_key="periods.id", index=True)
    revision: int = Field(default=1)
    value: Decimal = Field(sa_type=DecimalValue)
    note: str | None = Field(default=None, sa_type=sa.Text)
    kendala: str | None = Field(default=None, sa_type=sa.Text)
    tindak_lanjut: str | None = Field(default=None, sa_type=sa.Text)
    anomaly_reason: str | None = Field(default=None, sa_type=sa.Text)
    source: EntrySource = Field(default=EntrySource.CHAT, sa_type=enum_type(EntrySource))
    entered_by_id: int | None = Field(default=None, foreign_key="members.id")
    entered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EvidenceKind(StrEnum):
    """What an evidence row holds (the values are stored: never change them)."""

    PHOTO = "photo"
    DOCUMENT = "document"
    LINK = "link"  # a typed URL, e.g. of a shared drive folder
    TEXT = "text"  # a short typed text

    @property
    def is_file(self) -> bool:
        return self in (EvidenceKind.PHOTO, EvidenceKind.DOCUMENT)


MAX_EVIDENCE_TEXT = 500  # characters of a typed link or text: what `Evidence.stored_path` holds on PostgreSQL
MAX_FILE_NAME = 100  # characters of a stored file name (`clean_file_name`)
MAX_SUFFIX = 10  # characters of a file name's extension kept when the name is shortened
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_UNSAFE = re.compile(r"[/\\:*?\"<>|]")


class Evidence(SQLModel, table=True):
    """One piece of evidence. A file keeps its Telegram file id, its cleaned original name and the path of its
    stored copy; a link or text keeps its words in `stored_path` (no schema change was needed for them: read them
    through `text`)."""

    __tablename__ = "evidence"

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicators.id", index=True)
    period_id: int = Field(foreign_key="periods.id", index=True)
    kind: str = Field(sa_type=sa.String(20))  # an EvidenceKind
    telegram_file_id: str | None = Field(default=None, sa_type=sa.String(255))
    file_name: str | None = Field(default=None, sa_type=sa.String(255))
    mime_type: str | None = Field(default=None, sa_type=sa.String(100))
    stored_path: str | None = Field(default=None, sa_type=sa.String(500))
    uploaded_by_id: int | None = Field(default=None, foreign_key="members.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def evidence_kind(self) -> EvidenceKind:
        return EvidenceKind(self.kind)

    @property
    def text(self) -> str | None:
        """The typed link or text (None for a file)."""
        return None if self.evidence_kind.is_file else self.stored_path

    @property
    def file_path(self) -> str | None:
        """The stored copy of a file, as written (None for a link or text)."""
        return self.stored_path if self.evidence_kind.is_file else None


def typed_evidence_kind(text: str) -> EvidenceKind:
    """A typed evidence message is a link when it is one URL (with or without its scheme), else a text."""
    return EvidenceKind.LINK if _URL.fullmatch(text.strip()) else EvidenceKind.TEXT


def clean_file_name(name: str | None, limit: int = MAX_FILE_NAME) -> str | None:
    """A file name safe to store, show and put in an archive: no control characters, no path separators or
    characters file systems refuse, no leading dots, at most `limit` characters, its extension kept when the stem
    is shortened. None when nothing is left."""
    if not name:
        return None
    name = "".join(" " if unicodedata.category(char).startswith("C") else char for char in name)
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    if not name:
        return None
    if len(name) <= limit:
        return name
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and 0 < len(suffix) <= MAX_SUFFIX:
        return stem[:limit - len(suffix) - 1].rstrip() + "." + suffix
    return name[:limit].rstrip()


def current_realisasi(session: Session, period_id: int) -> dict[int, Realisasi]:
    """The latest revision of every indicator's value in a period, by indicator id."""
    return current_realisasi_of(session, [period_id]).get(period_id, {})


def current_realisasi_of(session: Session, period_ids: Collection[int]) -> dict[int, dict[int, Realisasi]]:
    """`current_realisasi` of several periods in one query: by period id, then by indicator id."""
    ids = set(period_ids)
    if not ids:
        return {}
    latest = (
        select(Realisasi.indicator_id, Realisasi.period_id, sa.func.max(Realisasi.revision).label("revision"))
        .where(Realisasi.period_id.in_(ids))
        .group_by(Realisasi.indicator_id, Realisasi.period_id)
        .subquery()
    )
    return _revisions(session, latest)


def _revisions(session: Session, latest: sa.Subquery) -> dict[int, dict[int, Realisasi]]:
    """The rows a subquery of (indicator_id, period_id, revision) names: by period id, then by indicator id."""
    rows = session.exec(
        select(Realisasi).join(
            latest,
            sa.and_(
                Realisasi.indicator_id == latest.c.indicator_id,
                Realisasi.period_id == latest.c.period_id,
                Realisasi.revision == latest.c.revision,
            ),
        )
    )
    by_period: dict[int, dict[int, Realisasi]] = {}
    for row in rows:
        by_period.setdefault(row.period_id, {})[row.indicator_id] = row
    return by_period


def approved_realisasi_of(session: Session, period_ids: Collection[int]) -> dict[int, dict[int, Realisasi]]:
    """The approved revision (module docstring) of every indicator in several periods: by period id, then by
    indicator id; an indicator whose unit's form was never approved is absent."""
    ids = set(period_ids)
    if not ids:
        return {}
    approved = (
        select(Realisasi.indicator_id, Realisasi.period_id, sa.func.max(Realisasi.revision).label("revision"))
        .join(Indicator, Indicator.id == Realisasi.indicator_id)
        .join(UnitForm, sa.and_(UnitForm.unit_id == Indicator.unit_id, UnitForm.period_id == Realisasi.period_id))
        .where(Realisasi.period_id.in_(ids), UnitForm.approved_at != None,  # noqa: E711  (SQL comparison)
               Realisasi.entered_at <= UnitForm.approved_at)
        .group_by(Realisasi.indicator_id, Realisasi.period_id)
        .subquery()
    )
    return _revisions(session, approved)


def form_statuses_of(session: Session, period_ids: Collection[int]) -> dict[tuple[int, int], FormStatus]:
    """The status of every unit's form in several periods, by (unit id, period id)."""
    ids = set(period_ids)
    if not ids:
        return {}
    forms = session.exec(select(UnitForm.unit_id, UnitForm.period_id, UnitForm.status)
                         .where(UnitForm.period_id.in_(ids)))
    return {(unit_id, period_id): FormStatus(status) for unit_id, period_id, status in forms}


def answered_indicators(session: Session, period_id: int) -> set[int]:
    """Indicators with a value in a period: those `current_realisasi` has, without loading the rows."""
    return set(session.exec(select(Realisasi.indicator_id).where(Realisasi.period_id == period_id).distinct()))


_LATEST_REVISION = (select(Realisasi)
                    .where(Realisasi.indicator_id == sa.bindparam("indicator_id"),
                           Realisasi.period_id == sa.bindparam("period_id"))
                    .order_by(Realisasi.revision.desc())
                    .limit(1))


def latest_revision(session: Session, indicator_id: int, period_id: int) -> Realisasi | None:
    return session.exec(_LATEST_REVISION, params={"indicator_id": indicator_id, "period_id": period_id}).first()


def evidence_counts(session: Session, period_id: int) -> dict[int, int]:
    rows = session.exec(
        select(Evidence.indicator_id, sa.func.count())
        .where(Evidence.period_id == period_id)
        .group_by(Evidence.indicator_id)
    )
    return dict(rows.all())
