"""Who signs a period's documents, and on which day: prepared by the Tim SAKIP, checked by the Sekretaris, known by
the Kepala Dinas ("Mengetahui, Kepala Dinas …").

Each block is signed by the member who acted for the period: the Sekretaris who reported it to the Kepala Dinas
(else who approved its last form), the Kepala Dinas who disposed it, and for the Tim SAKIP the member who opened it
if a Tim SAKIP member did (else the first Tim SAKIP member). The office's letterhead (`reports.letterhead`, from the
settings) names the Sekretaris and the Kepala Dinas with their title and NIP: its signatory signs when the audit
names the same person (same NIP, or the configured name contains the member's) or nobody; an acting official from
the audit keeps "Plh. Sekretaris" / "Plt. Kepala Dinas" with their own name; another member who acted, their own
name. The days come from the same records: the report, the disposition, and the archive (the Tim SAKIP files the
Kertas Kerja once the period is archived). A year, or a period no one has acted on yet, has names from the
settings (else the roles) and no day.

No openpyxl here: the chat and the command line build `Signatories` without loading the workbooks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, tzinfo

from sqlmodel import Session, col, select

from models.collection.forms import Disposition, PeriodReport, Review, ReviewDecision, UnitForm
from models.office.acting_officials import acting_at, acting_in
from models.office.audit import AuditEntry
from models.office.organisation import Member, Role, members_with_role
from models.plan.periods import Period, PeriodRef, find_period
from reports.letterhead import Letterhead, Signatory
from reports.wording import acting_title


@dataclass(frozen=True)
class Signature:
    signatory: Signatory | None  # None: nobody holds the role (a line to sign by hand); an empty title: the role's
    signed_on: date | None  # the day from the audit; None when it has not happened yet


@dataclass(frozen=True)
class Signatures:
    prepared: Signature  # the Tim SAKIP
    checked: Signature  # the Sekretaris
    known: Signature  # the Kepala Dinas

    def latest_day(self) -> date | None:
        """The last day anyone signed on (the date line's), None before anyone did."""
        days = [each.signed_on for each in (self.prepared, self.checked, self.known) if each.signed_on is not None]
        return max(days) if days else None


def _as_signatory(member: Member | None) -> Signatory | None:
    return Signatory("", member.name, member.nip or "") if member is not None else None


def _first(session: Session, role: Role) -> Member | None:
    members = members_with_role(session, role)
    return members[0] if members else None


def _day(moment, tz: tzinfo) -> date | None:
    return moment.astimezone(tz).date() if moment is not None else None


def signatures(session: Session, scope: PeriodRef | int, tz: tzinfo,
               letterhead: Letterhead | None = None, language: str = "id") -> Signatures:
    """The signatures of the scope's documents: the members who acted, or the letterhead's signatories (module
    docstring), each with the day the audit records for them."""
    letterhead = letterhead or Letterhead()
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
        prepared=Signature(_as_signatory(tim or _first(session, Role.TIM_SAKIP)), prepared_on),
        checked=Signature(_signer(session, sekretaris, checked_at, Role.SEKRETARIS, letterhead.sekretaris, language),
                          checked_on),
        known=Signature(_signer(session, kepala, known_at, Role.KEPALA, letterhead.kepala, language), known_on),
    )


def _digits(text: str | None) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())


def same_person(member: Member, configured: Signatory) -> bool:
    """Whether the settings' signatory is this member: the same NIP when both have one, else the configured name
    holds the member's ("Drs. H. Syahrial, M.Si" is "Syahrial")."""
    if _digits(member.nip) and _digits(configured.nip):
        return _digits(member.nip) == _digits(configured.nip)
    return bool(configured.name) and " ".join(member.name.split()).casefold() in configured.name.casefold()


def _signer(session: Session, member: Member | None, at: datetime | None, office: Role, configured: Signatory,
            language: str) -> Signatory | None:
    """Who signs for the office (module docstring): the member who acted at `at`, titled "Plh. Sekretaris" /
    "Plt. Kepala Dinas" when they acted for it without holding it, or the configured signatory when they are the
    same person (their NIP from the database when the settings give none); nobody: the configured one, else the
    office's first member."""
    if member is None:
        return configured if configured.name else _as_signatory(_first(session, office))
    acting = acting_at(session, member.id, at, office) if at is not None else None
    if acting is not None:
        return Signatory(acting_title(acting, language), member.name, member.nip or "")
    if same_person(member, configured):
        return replace(configured, nip=configured.nip or member.nip or "")
    return _as_signatory(member)


def signatory_of(session: Session, office: Role, configured: Signatory, at: datetime, language: str) -> Signatory:
    """Who signs for the office at `at`: its acting official when one is named then, else the configured one."""
    acting = acting_in(session, office, at)
    if acting is None:
        return configured
    return Signatory(title=acting_title(acting[0], language), name=acting[1].name, nip=acting[1].nip or "")


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


def kepala_on(session: Session, letterhead: Letterhead, day: date, tz: tzinfo, language: str) -> Signatory:
    """Who signs "Mengetahui, Kepala Dinas" on a document dated `day` (the LKjIP's tables): the Plt/Plh named
    for the office at noon that day (`signatory_of`), else the configured Kepala Dinas, else (no name configured)
    the office's first Kepala Dinas member under the configured title."""
    signer = signatory_of(session, Role.KEPALA, letterhead.kepala, datetime.combine(day, time(12), tzinfo=tz),
                          language)
    member = None if signer.name else _first(session, Role.KEPALA)
    return replace(signer, name=member.name, nip=member.nip or "") if member is not None else signer
