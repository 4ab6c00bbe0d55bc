"""Evidence (bukti dukung) as the reviewer and the exports see it (SOP step 10: realisasi checked against it).

A form's evidence is shown only to those who may see the form: the Sekretaris (who reviews it), the Kepala Dinas
and the Tim SAKIP (who see every unit's results), and the members who fill it (its own unit). A period's evidence
for the archive export is that of approved forms as of their last approval, unless drafts are asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from models.collection.forms import UnitForm
from models.collection.realisasi import Evidence, EvidenceKind
from models.collection.recap import indicator_order
from models.errors import ErrorCode, WorkflowError
from models.office.organisation import Member, Unit
from models.office.permissions import Action, may, roles_of_member
from models.plan.indicators import Indicator
from models.plan.periods import Period

SEE_EVERY_FORM = (Action.REVIEW_FORM, Action.DISPOSE, Action.PREPARE_MEASUREMENT)  # Sekretaris, Kepala, Tim SAKIP


@dataclass(frozen=True)
class EvidenceEntry:
    """One piece of evidence with the indicator it supports and its number among that indicator's (1, 2, …)."""

    evidence: Evidence
    indicator: Indicator
    number: int

    @property
    def kind(self) -> EvidenceKind:
        return self.evidence.evidence_kind


@dataclass(frozen=True)
class FormEvidence:
    """A unit's evidence of a period, indicator by indicator in the form's order."""

    unit: Unit
    period: Period
    entries: list[EvidenceEntry]

    @property
    def files(self) -> list[EvidenceEntry]:
        return [entry for entry in self.entries if entry.kind.is_file]

    @property
    def texts(self) -> list[EvidenceEntry]:
        """The links and texts."""
        return [entry for entry in self.entries if not entry.kind.is_file]


def may_see_form(session: Session, member: Member, form: UnitForm) -> bool:
    """Whether the member may see the form (and so its evidence): see the module docstring."""
    if not member.active:
        return False
    roles = roles_of_member(session, member)
    if any(may(roles, action) for action in SEE_EVERY_FORM):
        return True
    return may(roles, Action.FILL_FORM, own_unit_id=member.unit_id, target_unit_id=form.unit_id)


def form_evidence(session: Session, member: Member, form_id: int) -> FormEvidence:
    """The evidence of a form for a member allowed to see it (else `FORBIDDEN`, `NOT_FOUND` for no form)."""
    form = session.get(UnitForm, form_id)
    if form is None:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    if not may_see_form(session, member, form):
        raise WorkflowError(ErrorCode.FORBIDDEN, action="view_evidence", entity="unit_form", entity_id=form.id,
                            unit_id=form.unit_id)
    period = session.get(Period, form.period_id)
    return FormEvidence(session.get(Unit, form.unit_id), period,
                        _entries(session, period, [Indicator.unit_id == form.unit_id]))


def form_evidence_count(session: Session, form: UnitForm) -> int:
    """How many pieces of evidence the unit has for the form's period (what the 📎 button says)."""
    return session.exec(select(sa.func.count()).select_from(Evidence)
                        .join(Indicator, Indicator.id == Evidence.indicator_id)
                        .where(Evidence.period_id == form.period_id, Indicator.unit_id == form.unit_id)).one()


def period_evidence(session: Session, period: Period, include_drafts: bool = False) -> list[FormEvidence]:
    """Every unit's evidence of a period, units by name. Without `include_drafts`, only that of approved forms
    (approved at least once), uploaded at or before their last approval."""
    conditions = []
    if not include_drafts:
        approved = (select(UnitForm.unit_id, UnitForm.approved_at)
                    .where(UnitForm.period_id == period.id, UnitForm.approved_at != None)  # noqa: E711 (SQL)
                    .subquery())
        conditions.append(sa.exists().where(approved.c.unit_id == Indicator.unit_id,
                                            Evidence.uploaded_at <= approved.c.approved_at))
    entries = _entries(session, period, conditions)
    units: dict[int, list[EvidenceEntry]] = {}
    for entry in entries:
        units.setdefault(entry.indicator.unit_id, []).append(entry)
    result = [FormEvidence(session.get(Unit, unit_id), period, unit_entries) for unit_id, unit_entries in units.items()]
    return sorted(result, key=lambda form: (form.unit.name, form.unit.id))


def _entries(session: Session, period: Period, conditions: list) -> list[EvidenceEntry]:
    rows = session.exec(select(Evidence, Indicator).join(Indicator, Indicator.id == Evidence.indicator_id)
                        .where(Evidence.period_id == period.id, *conditions).order_by(Evidence.id)).all()
    rows = sorted(rows, key=lambda row: (indicator_order(row[1]), row[0].id))
    counts: dict[int, int] = {}
    entries = []
    for evidence, indicator in rows:
        counts[indicator.id] = counts.get(indicator.id, 0) + 1
        entries.append(EvidenceEntry(evidence, indicator, counts[indicator.id]))
    return entries


def uploaded_file_paths(session: Session, member_id: int, period_id: int) -> list[str]:
    """The stored copies of the files a member uploaded in a period (for the per-member quota)."""
    return [path for path in session.exec(
        select(Evidence.stored_path).where(Evidence.uploaded_by_id == member_id, Evidence.period_id == period_id,
                                           Evidence.kind.in_([kind.value for kind in EvidenceKind if kind.is_file]),
                                           Evidence.stored_path != None))  # noqa: E711 (SQL)
            if path]


def stored_file_paths(session: Session) -> list[str]:
    """The stored copies of every evidence file (what is not among them on disk is an orphan)."""
    return [path for path in session.exec(
        select(Evidence.stored_path).where(Evidence.kind.in_([kind.value for kind in EvidenceKind if kind.is_file]),
                                           Evidence.stored_path != None))  # noqa: E711 (SQL)
            if path]
