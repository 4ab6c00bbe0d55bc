"""Who signs a period's documents, and on which day: prepared by the Tim SAKIP, checked by the Sekretaris, known by
the Kepala Dinas ("Mengetahui, Kepala Dinas …").

A caller may name the signatories (`Signatory`: name, NIP, title; the office's settings, with Plt/Plh where one
acts); for one it does not name, the member who acted for the period is taken: the Sekretaris who reported it to the
Kepala Dinas (else who approved its last form), the Kepala Dinas who disposed it, and for the Tim SAKIP the member
who opened it if a Tim SAKIP member did (else the first Tim SAKIP member). The days come from the same records:
the report, the disposition, and the archive (the Tim SAKIP files the Kertas Kerja once the period is archived).
A year, or a period no one has acted on yet, has names from the roles and no day.

No openpyxl here: the chat and the command line build `Signatories` without loading the workbooks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlmodel import Session, col, select

from models.collection.forms import Disposition, PeriodReport, Review, ReviewDecision, UnitForm
from models.office.acting_officials import acting_at
from models.office.audit import AuditEntry
from models.office.organisation import Member, Role, members_with_role
from models.plan.periods import Period, PeriodRef, find_period
from reports.wording import acting_title


@dataclass(frozen=True)
class Signatory:
    """One person who signs: as the caller names them (settings) or as they acted (`members_who_acted`). `title`
    is the function under the signature ("Kepala Dinas …", "Plh. Sekretaris"); None: the role's own words."""

    name: str
    nip: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Signatories:
    """The three who sign; a None is taken from the members who acted (`signatures`)."""

    tim_sakip: Signatory | None = None
    sekretaris: Signatory | None = None
    kepala: Signatory | None = None


@dataclass(frozen=True)
class Signature:
    signatory: Signatory | None  # None: nobody holds the role (a blank line to sign by hand)
    signed_on: date | None  # the day from the audit; None when it has not happened yet


@dataclass(frozen=True)
class Signatures:
    prepared: Signature  # the Tim SAKIP
    checked: Signature  # the Sekretaris
    known: Signature  # the Kepala Dinas


def _as_signatory(member: Member | None) -> Signatory | None:
    return Signatory(member.name, member.nip) if member is not None else None


def _first(session: Session, role: Role) -> Member | None:
    members = members_with_role(session, role)
    return members[0] if members else None


def _day(moment, tz: tzinfo) -> date | None:
    return moment.astimezone(tz).date() if moment is not None else None


def signatures(session: Session, scope: PeriodRef | int, tz: tzinfo,
               given: Signatories | None = None, language: str = "id") -> Signatures:
    """The signatures of the scope's documents: `given` signatories first, else the members who acted (module
    docstring), each with the day the audit records for them."""
    given = given or Signatories()
    period = find_period(session, scope) if isinstance(scope, PeriodRef) else None
    tim = sekretaris = kepala = None
    prepared_on = checked_on = known_on = None
    checked_at = known_at = None
    if period is not None:
        tim, prepared_on = _prepared(session, period, tz)
        sekretaris, checked_at = _checked(session, period)
        checked_on = _day(checked_at, tz)
        disposition = session.exec(select(Disposition).where(Disposition.period_id == period.id)).first()
        if disposition is not None:
            kepala = session.get(Member, disposition.kepala_id) if disposition.kepala_id else None
            known_at = disposition.created_at
            known_on = _day(known_at, tz)
    return Signatures(
        prepared=Signature(given.tim_sakip or _as_signatory(tim or _first(session, Role.TIM_SAKIP)), prepared_on),
        checked=Signature(given.sekretaris or _acted(session, sekretaris, checked_at, Role.SEKRETARIS, language)
                          or _as_signatory(_first(session, Role.SEKRETARIS)), checked_on),
        known=Signature(given.kepala or _acted(session, kepala, known_at, Role.KEPALA, language)
                        or _as_signatory(_first(session, Role.KEPALA)), known_on),
    )


def _acted(session: Session, member: Member | None, at: datetime | None, office: Role,
           language: str) -> Signatory | None:
    """Who acted for the office at `at`, titled "Plh. Sekretaris" / "Plt. Kepala Dinas" when they acted for it
    without holding it."""
    if member is None:
        return None
    acting = acting_at(session, member.id, at, office) if at is not None else None
    return Signatory(member.name, member.nip, acting_title(acting, language) if acting is not None else None)


def _prepared(session: Session, period: Period, tz: tzinfo) -> tuple[Member | None, date | None]:
    """The Tim SAKIP member who opened the period (if one did), and the day it was archived."""
    opened = session.exec(select(AuditEntry).where(AuditEntry.action == "period.open", AuditEntry.entity == "period",
                                                   AuditEntry.entity_id == period.id)
                          .order_by(col(AuditEntry.id))).first()
    member = None
    if opened is not None and opened.actor_member_id is not None:
        tim = {m.id for m in members_with_role(session, Role.TIM_SAKIP)}
        member = session.get(Member, opened.actor_member_id) if opened.actor_member_id in tim else None
    archived = session.exec(select(AuditEntry).where(AuditEntry.action == "period.archived",
                                                     AuditEntry.entity == "period", AuditEntry.entity_id == period.id)
                            .order_by(col(AuditEntry.id).desc())).first()
    return member, _day(archived.at, tz) if archived is not None else None


def _checked(session: Session, period: Period) -> tuple[Member | None, datetime | None]:
    """The Sekretaris who reported the period to the Kepala Dinas and when; before that, who approved its last
    form and when."""
    report = session.exec(select(PeriodReport).where(PeriodReport.period_id == period.id)).first()
    if report is not None:
        member = session.get(Member, report.reported_by_id) if report.reported_by_id else None
        return member, report.reported_at
    review = session.exec(select(Review).join(UnitForm, UnitForm.id == Review.form_id)
                          .where(UnitForm.period_id == period.id, Review.decision == ReviewDecision.APPROVE)
                          .order_by(col(Review.created_at).desc(), col(Review.id).desc())).first()
    if review is None:
        return None, None
    member = session.get(Member, review.reviewer_id) if review.reviewer_id else None
    return member, review.created_at
