"""The archive of a period (SOP A12 / B10): its Laporan Hasil Pengukuran Kinerja as the PDF that was filed.

The document is stored in the database, so every bot process (and the CLI) sends the same file later, and it
never changes once filed: the data behind it is archived and locked too. It is rendered once, by whoever
needs it first after the disposition (the delivery of the Tim SAKIP's copy, `/laporan`, the CLI).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, select

from models.office.audit import Actor, record_by
from models.store.types import UTCDateTime, enum_type, utcnow


class Procedure(StrEnum):
    COLLECTION = "pengumpulan"  # procedure A: a month's or triwulan's data, reviewed and disposed
    MEASUREMENT = "pengukuran"  # procedure B: a triwulan's measurement, reviewed and disposed


class ArchivedDocument(SQLModel, table=True):
    __tablename__ = "archived_documents"
    __table_args__ = (sa.UniqueConstraint("period_code", "procedure"),)

    id: int | None = Field(default=None, primary_key=True)
    period_code: str = Field(sa_type=sa.String(20))  # 2026-01, 2026-TW1
    procedure: Procedure = Field(sa_type=enum_type(Procedure))
    filename: str = Field(sa_type=sa.String(120))
    content: bytes = Field(sa_type=sa.LargeBinary)
    sha256: str = Field(sa_type=sa.String(64))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def archived_document(session: Session, code: str, procedure: Procedure) -> ArchivedDocument | None:
    return session.exec(select(ArchivedDocument).where(ArchivedDocument.period_code == code,
                                                       ArchivedDocument.procedure == procedure)).first()


def file_document(session: Session, code: str, procedure: Procedure, filename: str, content: bytes,
                  actor: Actor, *, now: datetime) -> ArchivedDocument:
    """File the document once (at `now`); a document already filed stays as it was (and is returned)."""
    existing = archived_document(session, code, procedure)
    if existing is not None:
        return existing
    document = ArchivedDocument(period_code=code, procedure=procedure, filename=filename, content=content,
                                sha256=hashlib.sha256(content).hexdigest(), created_at=now)
    session.add(document)
    session.flush()
    record_by(session, actor, "document.archived", "archived_document", document.id, at=now,
              after={"code": code, "procedure": procedure, "filename": filename, "sha256": document.sha256,
                     "bytes": len(content)})
    return document
