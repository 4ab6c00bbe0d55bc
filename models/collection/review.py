"""Sending a unit's form, the Sekretaris's review, and unlocking approved values (SOP procedure A, steps 7–10).

Every function checks the caller's role and unit first (refusals are audited and raised as
`WorkflowError(ErrorCode.FORBIDDEN)`), changes state through `models.collection.workflow`, and queues the
notifications it causes in the outbox, all in the caller's one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from models.collection.form_filling import form_items, latest_return, missing_items
from models.collection.forms import (
    FormStatus,
    PeriodReport,
    Review,
    ReviewDecision,
    ReviewItem,
    UnitForm,
    UnlockRequest,
    UnlockStatus,
)
from models.collection.progress import period_fully_approved
from models.collection.realisasi import Evidence, EvidenceKind, Realisasi, latest_revision
from models.collection.workflow import approve_form, lock_form, move_form, return_form, submit_form
from models.errors import ErrorCode, WorkflowError
from models.messaging.notices import (
    FormApproved,
    FormReturned,
    FormSent,
    KabidReviewRequest,
    ReportReady,
    ReviewRequest,
    UnlockAsked,
    UnlockDecided,
)
from models.messaging.outbox import enqueue
from models.office.audit import Actor, AuditEntry, record_by
from models.office.organisation import Member, Role, members_with_role, unit_members
from models.office.permissions import Action, require
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodStatus


def _form(session: Session, form_id: int) -> UnitForm:
    form = session.get(UnitForm, form_id)
    if form is None:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    return form


def _of_form(form: UnitForm) -> sa.ColumnElement[bool]:
    """The audit entries of what the form shows: its values and notes, its evidence, and its moves."""
    values = select(Realisasi.id).join(Indicator, Indicator.id == Realisasi.indicator_id).where(
        Realisasi.period_id == form.period_id, Indicator.unit_id == form.unit_id)
    files = select(Evidence.id).join(Indicator, Indicator.id == Evidence.indicator_id).where(
        Evidence.period_id == form.period_id, Indicator.unit_id == form.unit_id)
    return sa.or_(
        sa.and_(AuditEntry.entity == "realisasi", AuditEntry.entity_id.in_(values)),
        sa.and_(AuditEntry.entity == "evidence", AuditEntry.entity_id.in_(files)),
        sa.and_(AuditEntry.entity == "unit_form", AuditEntry.entity_id == form.id,
                AuditEntry.action.startswith("form.")),
    )


def form_mark(session: Session, form: UnitForm) -> int:
    """What identifies the form as shown now: the id of the last audit entry of a change to it (0: none yet).

    Every change of a value, a note or evidence, and every move, is entered under the form's row lock with its
    audit entry, so a change not yet committed when the form is read always gets a higher id."""
    return session.exec(select(sa.func.max(AuditEntry.id)).where(_of_form(form))).one() or 0


@dataclass
class Edit:
    """What changed in one indicator of a form since it was shown: its answer then and now, files added, by whom."""

    indicator: Indicator
    old: Realisasi | None = None
    new: Realisasi | None = None
    files: int = 0
    by: list[str] = field(default_factory=list)
    kinds: list[EvidenceKind] = field(default_factory=list)  # of the evidence added, in order


def edits_since(session: Session, form: UnitForm, mark: int) -> list[Edit]:
    """The changes of the form's values, notes and evidence after `mark` (`form_mark`), by indicator."""
    entries = session.exec(select(AuditEntry).where(_of_form(form), AuditEntry.id > mark,
                                                    AuditEntry.entity != "unit_form").order_by(AuditEntry.id))
    edits: dict[int, Edit] = {}
    for entry in entries:
        row = session.get(Realisasi if entry.entity == "realisasi" else Evidence, entry.entity_id)
        edit = edits.get(row.indicator_id)
        if edit is None:
            edit = edits[row.indicator_id] = Edit(session.get(Indicator, row.indicator_id))
        if isinstance(row, Realisasi):
            if edit.new is None:
                edit.old = session.exec(select(Realisasi).where(
                    Realisasi.indicator_id == row.indicator_id, Realisasi.period_id == row.period_id,
                    Realisasi.revision == row.revision - 1)).first()
            edit.new = row
        else:
            edit.files += 1
            edit.kinds.append(row.evidence_kind)
        author = session.get(Member, entry.actor_member_id) if entry.actor_member_id else None
        name = author.name if author else entry.actor
        if name not in edit.by:
            edit.by.append(name)
    return list(edits.values())


def send_for_review(session: Session, form: UnitForm, actor: Actor, expected_version: int | None = None, *,
                    seen: int | None = None, now: datetime, kabid_review: bool = False) -> list[str]:
    """Submit the form and tell every Sekretaris; returns the codes still pending instead when it is incomplete.

    `seen` (`form_mark`) binds the submission to the form as the sender was shown it: any change since refuses it
    (`FORM_CHANGED`, or `STALE` once the form has moved on). Used by the chat and by the Excel import alike, so a
    form only ever reaches review complete.

    The unit's head (kabid) is in the loop: he hears that the form was sent, or, with `kabid_review` (the
    office's rule), gets it to approve or return first (`models/collection/kabid_review.py`). A unit without a
    kabid, and a form the kabid sends himself, go straight to the Sekretaris; nobody is told of what he did
    himself."""
    lock_form(session, form)  # a colleague's entry cannot slip in between the check below and the submission
    if expected_version is not None and expected_version != form.version:
        raise WorkflowError(ErrorCode.STALE, status=FormStatus(form.status).value, version=form.version,
                            form_id=form.id)
    if seen is not None and seen != form_mark(session, form):
        if FormStatus(form.status) not in (FormStatus.DRAFT, FormStatus.RETURNED):
            raise WorkflowError(ErrorCode.STALE, status=FormStatus(form.status).value, version=form.version,
                                form_id=form.id)
        raise WorkflowError(ErrorCode.FORM_CHANGED, form_id=form.id, seen=seen)
    if FormStatus(form.status) in (FormStatus.DRAFT, FormStatus.RETURNED):
        missing = missing_items(form_items(session, form))
        if missing:
            return [item.indicator.code for item in missing]
    resubmission = latest_return(session, form) is not None
    heads = members_with_role(session, Role.KABID, form.unit_id)
    others = [head for head in heads if head.id != actor.member_id]
    to_kabid = kabid_review and _kabid_first(heads, actor.member_id)
    submit_form(session, form, actor, expected_version, now=now, to_kabid=to_kabid)
    if to_kabid:
        for head in heads:
            enqueue(session, head.id, KabidReviewRequest(form.id, form.version, resubmission),
                    f"kabid_review:{form.id}:{form.version}:{head.id}")
        return []
    request_review(session, form, resubmission)
    for head in others:
        enqueue(session, head.id, FormSent(form.id, form.version, actor.member_id),
                f"form_sent:{form.id}:{form.version}:{head.id}")
    return []


def _kabid_first(heads: list[Member], sender_id: int | None) -> bool:
    """With the `kabid_review` rule, whether a form sent by `sender_id` waits for the unit's `heads` first: when
    the unit has a kabid and he is not the sender."""
    return bool(heads) and all(head.id != sender_id for head in heads)


def goes_to_kabid(session: Session, form: UnitForm, sender_id: int, kabid_review: bool) -> bool:
    """Whether the member sending the form now sends it to the unit's kabid first (for the words of 'Kirim')."""
    return kabid_review and _kabid_first(members_with_role(session, Role.KABID, form.unit_id), sender_id)


def request_review(session: Session, form: UnitForm, resubmission: bool) -> None:
    """The submitted form (at its current version) to every Sekretaris, with Setujui / Kembalikan."""
    for sekretaris in members_with_role(session, Role.SEKRETARIS):
        enqueue(session, sekretaris.id, ReviewRequest(form.id, form.version, resubmission),
                f"review:{form.id}:{form.version}:{sekretaris.id}")


def submit_unit_form(session: Session, member: Member, form_id: int, expected_version: int | None = None, *,
                     seen: int | None = None, now: datetime, kabid_review: bool = False) -> UnitForm:
    """Send the form to every Sekretaris (or first to the unit's kabid, `kabid_review`); refused while any item
    is pending, or (`seen`) when it changed since the sender was shown it."""
    form = _form(session, form_id)
    require(session, member, Action.SUBMIT_FORM, target_unit_id=form.unit_id, entity="unit_form", entity_id=form.id)
    period = session.get(Period, form.period_id)
    if PeriodStatus(period.status) is PeriodStatus.ARCHIVED:
        raise WorkflowError(ErrorCode.PERIOD_ARCHIVED, period=period.code)
    missing = send_for_review(session, form, Actor.member(member.id), expected_version, seen=seen, now=now,
                              kabid_review=kabid_review)
    if missing:
        raise WorkflowError(ErrorCode.INCOMPLETE, codes=missing)
    return form


def approve_unit_form(session: Session, member: Member, form_id: int, expected_version: int | None, *,
                      now: datetime) -> UnitForm:
    form = _form(session, form_id)
    require(session, member, Action.REVIEW_FORM, entity="unit_form", entity_id=form.id)
    approve_form(session, form, Actor.member(member.id), expected_version, now=now)
    for recipient in unit_members(session, form.unit_id):
        enqueue(session, recipient.id, FormApproved(form.id), f"approved:{form.id}:{form.version}:{recipient.id}")
    period = session.get(Period, form.period_id)
    session.refresh(period, with_for_update=True)  # the month's last two forms approved at once: the second sees both
    if period_fully_approved(session, period):
        for sekretaris in members_with_role(session, Role.SEKRETARIS):
            enqueue(session, sekretaris.id, ReportReady(period.id), f"report_ready:{period.id}:{sekretaris.id}")
    return form


def return_unit_form(
    session: Session, member: Member, form_id: int, expected_version: int | None,
    indicator_ids: Iterable[int], arahan: str, *, now: datetime,
) -> Review:
    """Return the chosen indicators with the arahan; the unit's members get exactly those items back."""
    form = _form(session, form_id)
    require(session, member, Action.REVIEW_FORM, entity="unit_form", entity_id=form.id)
    return return_chosen(session, member, form, FormStatus.SUBMITTED, expected_version, indicator_ids, arahan,
                         now=now)


def return_chosen(
    session: Session, member: Member, form: UnitForm, waiting: FormStatus, expected_version: int | None,
    indicator_ids: Iterable[int], arahan: str, *, now: datetime,
) -> Review:
    """Return the form, waiting for the reviewer in state `waiting`, with the chosen indicators (those of the
    form) and the arahan; every member of the unit but the reviewer is told. The caller checked the permission."""
    if FormStatus(form.status) is not waiting:
        raise WorkflowError(ErrorCode.NOT_ALLOWED, status=FormStatus(form.status).value, to=FormStatus.RETURNED.value,
                            form_id=form.id)
    unit_indicator_ids = {item.indicator.id for item in form_items(session, form)}
    chosen = [i for i in dict.fromkeys(indicator_ids) if i in unit_indicator_ids]
    review = return_form(session, form, Actor.member(member.id), {i: arahan for i in chosen}, arahan,
                         expected_version, now=now)
    for recipient in unit_members(session, form.unit_id):
        if recipient.id != member.id:
            enqueue(session, recipient.id, FormReturned(form.id, review.id), f"returned:{review.id}:{recipient.id}")
    return review


def _same_text(old: str | None, new: str | None) -> bool:
    return (old or "").strip() == (new or "").strip()


@dataclass
class Change:
    """One indicator of a resubmitted form: its answer at the return and now, and the evidence added since.

    Values are compared as numbers (92 and 92.0 are the same value); a note kept word for word is no change."""

    indicator: Indicator
    old: Realisasi | None
    new: Realisasi | None
    evidence: list[EvidenceKind] = field(default_factory=list)
    returned: bool = True  # the Sekretaris asked for it (else changed without being asked)

    @property
    def value_changed(self) -> bool:
        old, new = (row.value if row else None for row in (self.old, self.new))
        return old != new

    @property
    def kendala_changed(self) -> bool:
        return self.old is not None and self.new is not None and not _same_text(self.old.kendala, self.new.kendala)

    @property
    def tindak_lanjut_changed(self) -> bool:
        return (self.old is not None and self.new is not None
                and not _same_text(self.old.tindak_lanjut, self.new.tindak_lanjut))

    @property
    def changed(self) -> bool:
        return self.value_changed or self.kendala_changed or self.tindak_lanjut_changed or bool(self.evidence)


def _return_mark(session: Session, form: UnitForm) -> int:
    """The audit entry of the form's last move back to the unit (a return, or an unlock granted)."""
    return session.exec(select(sa.func.max(AuditEntry.id)).where(
        AuditEntry.entity == "unit_form", AuditEntry.entity_id == form.id,
        AuditEntry.action.in_((f"form.{FormStatus.RETURNED.value}", "form.unlocked")))).one() or 0


def changes_since_return(session: Session, form: UnitForm) -> list[Change]:
    """For a resubmitted form: every returned indicator (changed or left as it was), then any other indicator
    that changed, each with its answer at the return and now and the evidence added since.

    Read from the audit log after the return's own entry (ids only grow, unlike clocks)."""
    review = latest_return(session, form)
    if review is None:
        return []
    edits = {edit.indicator.id: edit for edit in edits_since(session, form, _return_mark(session, form))}
    returned = [item.indicator_id for item in session.exec(
        select(ReviewItem).where(ReviewItem.review_id == review.id).order_by(ReviewItem.id))]
    changes = []
    for indicator_id in dict.fromkeys([*returned, *edits]):
        edit = edits.get(indicator_id)
        if edit is None:
            now = latest_revision(session, indicator_id, form.period_id)
            changes.append(Change(session.get(Indicator, indicator_id), now, now))
            continue
        if edit.new is None:  # only evidence added: the answer is the one at the return
            edit.old = edit.new = latest_revision(session, indicator_id, form.period_id)
        changes.append(Change(edit.indicator, edit.old, edit.new, list(edit.kinds), indicator_id in returned))
    return [change for change in changes if change.returned or change.changed]


def pending_unlock(session: Session, member: Member, form_id: int, indicator_id: int) -> UnlockRequest | None:
    """Check that the member may ask to unlock the item now (raises otherwise, as `request_unlock` would), before
    the reason is asked; the request already waiting for the Sekretaris, if any."""
    form = _form(session, form_id)
    require(session, member, Action.REQUEST_UNLOCK, target_unit_id=form.unit_id, entity="unit_form",
            entity_id=form.id)
    indicator = session.get(Indicator, indicator_id)
    if indicator is None or indicator.unit_id != form.unit_id:  # forged or stale button data
        raise WorkflowError(ErrorCode.NOT_FOUND)
    lock_form(session, form)  # two requests for one item at once: the second waits, then finds the first
    if FormStatus(form.status) is not FormStatus.APPROVED:
        raise WorkflowError(ErrorCode.NOT_LOCKED)
    refuse_after_report(session, form.period_id)
    return session.exec(select(UnlockRequest).where(
        UnlockRequest.form_id == form.id, UnlockRequest.indicator_id == indicator_id,
        UnlockRequest.status == UnlockStatus.PENDING)).first()


def request_unlock(session: Session, member: Member, form_id: int, indicator_id: int,
                   reason: str | None = None, *, now: datetime) -> UnlockRequest:
    """Ask the Sekretaris to unlock one approved item, with the member's reason (shown to the Sekretaris)."""
    pending = pending_unlock(session, member, form_id, indicator_id)
    if pending is not None:
        return pending
    request = UnlockRequest(form_id=form_id, indicator_id=indicator_id, requested_by_id=member.id, reason=reason,
                            created_at=now)
    session.add(request)
    session.flush()
    record_by(session, Actor.member(member.id), "unlock.request", "unlock_request", request.id, at=now,
              after={"form_id": form_id, "indicator_id": indicator_id, "reason": reason})
    for sekretaris in members_with_role(session, Role.SEKRETARIS):
        enqueue(session, sekretaris.id, UnlockAsked(request.id), f"unlock:{request.id}:{sekretaris.id}")
    return request


def refuse_after_report(session: Session, period_id: int) -> None:
    """Once the period went to the Kepala Dinas, its approved data is what the disposition is about: no unlock.

    The period stays locked until commit, so a report pressed at the same moment waits and then sees the form
    unlocked (`report_to_kepala` locks it too)."""
    period = session.get(Period, period_id)
    session.refresh(period, with_for_update=True)
    if PeriodStatus(period.status) is PeriodStatus.ARCHIVED:
        raise WorkflowError(ErrorCode.PERIOD_ARCHIVED)
    if session.exec(select(PeriodReport).where(PeriodReport.period_id == period_id)).first() is not None:
        raise WorkflowError(ErrorCode.ALREADY_REPORTED_LOCKED)


def decide_unlock(session: Session, member: Member, request_id: int, grant: bool, *, now: datetime) -> UnlockRequest:
    """Grant (the form goes back to the unit with that one item reopened) or refuse an unlock request.

    The reopened item names the request and carries no arahan: the unit asked, the Sekretaris gave no direction
    (the staff's card says so, with the reason asked)."""
    request = session.get(UnlockRequest, request_id)
    if request is None:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    require(session, member, Action.GRANT_UNLOCK, entity="unlock_request", entity_id=request.id)
    session.refresh(request, with_for_update=True)  # of two decisions at once, the second waits and is refused
    if UnlockStatus(request.status) is not UnlockStatus.PENDING:
        raise WorkflowError(ErrorCode.ALREADY_DECIDED, by=request.decided_by_id, at=request.decided_at)
    form = lock_form(session, _form(session, request.form_id))
    if grant:
        refuse_after_report(session, form.period_id)
        status = FormStatus(form.status)
        if status is FormStatus.APPROVED:
            move_form(session, form, FormStatus.RETURNED, Actor.member(member.id), None, now=now, unlock=True)
            review = Review(form_id=form.id, reviewer_id=member.id, decision=ReviewDecision.RETURN,
                            created_at=now)
            session.add(review)
            session.flush()
        elif status is FormStatus.RETURNED:  # already back with the unit (an earlier unlock): add this item to it
            review = latest_return(session, form)
        else:
            raise WorkflowError(ErrorCode.NOT_LOCKED)
        if session.exec(select(ReviewItem).where(ReviewItem.review_id == review.id,
                                                 ReviewItem.indicator_id == request.indicator_id)).first() is None:
            session.add(ReviewItem(review_id=review.id, indicator_id=request.indicator_id,
                                   unlock_request_id=request.id))
    request.status = UnlockStatus.GRANTED if grant else UnlockStatus.REFUSED
    request.decided_by_id, request.decided_at = member.id, now
    session.add(request)
    record_by(session, Actor.member(member.id), f"unlock.{request.status.value}", "unlock_request", request.id, at=now,
              after={"form_id": form.id, "indicator_id": request.indicator_id, "reason": request.reason})
    enqueue(session, request.requested_by_id, UnlockDecided(request.id), f"unlock_decided:{request.id}")
    return request


def last_change(session: Session, form: UnitForm) -> tuple[str | None, datetime | None]:
    """Who last moved the form (submitted, approved, returned, unlocked) and when: for 'already handled by …'."""
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.entity == "unit_form", AuditEntry.entity_id == form.id,
                                 AuditEntry.action.startswith("form."))
        .order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    if entry is None:
        return None, None
    actor = session.get(Member, entry.actor_member_id) if entry.actor_member_id else None
    return (actor.name if actor else entry.actor), entry.at


__all__ = ["Change", "Edit", "approve_unit_form", "changes_since_return", "decide_unlock", "edits_since", "form_mark",
           "goes_to_kabid", "last_change", "members_with_role", "pending_unlock", "request_review", "request_unlock",
           "return_chosen", "return_unit_form", "submit_unit_form", "unit_members"]
