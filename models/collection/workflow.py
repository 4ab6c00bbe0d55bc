"""Workflow transitions of the SOP: entering realisasi into a unit's form and moving the form along.

    draft ──submit──▶ submitted ──approve──▶ approved
                        │   ▲
                 return │   │ submit (after completion as directed)
                        ▼   │
                      returned

With the `kabid_review` rule a Bidang's form goes to its kabid first (`models/collection/kabid_review.py`):

    draft / returned ──submit──▶ at_kabid ──kabid approves──▶ submitted
                                    │
                                    └──kabid returns──▶ returned

An approved form goes back to `returned` only through a granted unlock request (`unlock=True`).

Every transition checks the current state (and, where the caller names one, the version it saw, so two quick
presses of one button change the form once), and writes an audit entry in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models.collection.forms import FormStatus, Review, ReviewDecision, ReviewItem, UnitForm
from models.collection.realisasi import EntrySource, Realisasi, latest_revision
from models.errors import ErrorCode, WorkflowError
from models.office.audit import Actor, record_by
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodStatus

TRANSITIONS: dict[FormStatus, frozenset[FormStatus]] = {
    FormStatus.DRAFT: frozenset({FormStatus.SUBMITTED, FormStatus.WAITING_KABID}),
    FormStatus.WAITING_KABID: frozenset({FormStatus.SUBMITTED, FormStatus.RETURNED}),
    FormStatus.SUBMITTED: frozenset({FormStatus.RETURNED, FormStatus.APPROVED}),
    FormStatus.RETURNED: frozenset({FormStatus.SUBMITTED, FormStatus.WAITING_KABID}),
    FormStatus.APPROVED: frozenset(),
}

# A form no value can be entered in, and why.
LOCKED_FORM: dict[FormStatus, ErrorCode] = {
    FormStatus.SUBMITTED: ErrorCode.FORM_SUBMITTED,
    FormStatus.WAITING_KABID: ErrorCode.FORM_AT_KABID,
    FormStatus.APPROVED: ErrorCode.FORM_APPROVED,
}


FORMS = "unit_forms"  # `Session.info`: (transaction, the forms read in it by (unit id, period id)), see `form_for`


_FORM = select(UnitForm).where(UnitForm.unit_id == sa.bindparam("unit_id"),
                               UnitForm.period_id == sa.bindparam("period_id"))
_FORM_LOCKED = _FORM.with_for_update()


def form_for(session: Session, unit_id: int, period_id: int, *, lock: bool = False) -> UnitForm:
    """The unit's form for the period, created as a draft on first use (once, when colleagues answer at once);
    read under a row lock when `lock` (as `lock_form`). Read once per transaction: a step asks for its form
    several times (to check it, to enter a value, to show the item)."""
    transaction = session.get_transaction()
    held = session.info.get(FORMS)
    if held is None or held[0] is not transaction:
        held = session.info[FORMS] = (transaction, {})
    form = held[1].get((unit_id, period_id))
    if form is not None and sa.inspect(form).persistent:
        return lock_form(session, form) if lock else form
    query, params = (_FORM_LOCKED if lock else _FORM), {"unit_id": unit_id, "period_id": period_id}
    form = session.exec(query, params=params).first()
    if form is None:
        form = UnitForm(unit_id=unit_id, period_id=period_id)
        try:
            with session.begin_nested():
                session.add(form)
        except IntegrityError:  # a colleague's first answer created it in another process just now
            form = session.exec(query, params=params).one()
    held[1][(unit_id, period_id)] = form
    return form


def lock_form(session: Session, form: UnitForm) -> UnitForm:
    """Re-read the form under a row lock (PostgreSQL `FOR UPDATE`; SQLite's `BEGIN IMMEDIATE` already
    serialises writers), so two presses handled at once by two processes see each other's change. What this
    transaction changed is flushed first (the re-read would drop it)."""
    session.flush()
    session.refresh(form, with_for_update=True)
    return form


def move_form(
    session: Session, form: UnitForm, to: FormStatus, actor: Actor, expected_version: int | None,
    *, now: datetime, unlock: bool = False,
) -> None:
    lock_form(session, form)
    current = FormStatus(form.status)
    if expected_version is not None and expected_version != form.version:
        raise WorkflowError(ErrorCode.STALE, status=current.value, version=form.version, form_id=form.id)
    unlocking = unlock and current is FormStatus.APPROVED and to is FormStatus.RETURNED
    if to not in TRANSITIONS[current] and not unlocking:
        raise WorkflowError(ErrorCode.NOT_ALLOWED, status=current.value, to=to.value, form_id=form.id)
    before = {"status": current, "version": form.version}
    form.status = to
    form.version += 1
    form.updated_at = now
    if to is FormStatus.SUBMITTED:
        form.submitted_at = now
    if to is FormStatus.APPROVED:
        form.approved_at = now
    session.add(form)
    action = "form.unlocked" if unlocking else f"form.{to.value}"
    record_by(session, actor, action, "unit_form", form.id, at=now, before=before,
              after={"status": to, "version": form.version})


def submit_form(session: Session, form: UnitForm, actor: Actor, expected_version: int | None = None, *,
                now: datetime, to_kabid: bool = False) -> None:
    """Send the form on: to the Sekretaris, or (`to_kabid`) first to the unit's kabid."""
    to = FormStatus.WAITING_KABID if to_kabid else FormStatus.SUBMITTED
    move_form(session, form, to, actor, expected_version, now=now)


def approve_form(session: Session, form: UnitForm, actor: Actor, expected_version: int | None = None, *,
                 now: datetime) -> Review:
    move_form(session, form, FormStatus.APPROVED, actor, expected_version, now=now)
    review = Review(form_id=form.id, reviewer_id=actor.member_id, decision=ReviewDecision.APPROVE, created_at=now)
    session.add(review)
    return review


def return_form(
    session: Session,
    form: UnitForm,
    actor: Actor,
    items: dict[int, str | None],
    arahan: str | None,
    expected_version: int | None = None,
    *,
    now: datetime,
) -> Review:
    """Return the form with the indicators to complete (indicator id → arahan for it)."""
    if not items:
        raise WorkflowError(ErrorCode.RETURN_NEEDS_ITEMS)
    move_form(session, form, FormStatus.RETURNED, actor, expected_version, now=now)
    review = Review(form_id=form.id, reviewer_id=actor.member_id, decision=ReviewDecision.RETURN, arahan=arahan,
                    created_at=now)
    session.add(review)
    session.flush()
    for indicator_id, item_arahan in items.items():
        session.add(ReviewItem(review_id=review.id, indicator_id=indicator_id, arahan=item_arahan))
    return review


def resolve_returned_item(session: Session, form: UnitForm, indicator_id: int, member_id: int | None, *,
                          now: datetime) -> None:
    """The returned item of this indicator (latest return of the form) is answered now."""
    review = session.exec(select(Review).where(Review.form_id == form.id, Review.decision == ReviewDecision.RETURN)
                          .order_by(Review.id.desc()).limit(1)).first()
    if review is None:
        return
    item = session.exec(select(ReviewItem).where(ReviewItem.review_id == review.id,
                                                 ReviewItem.indicator_id == indicator_id,
                                                 ReviewItem.resolved_at == None)).first()  # noqa: E711
    if item is not None:
        item.resolved_at, item.resolved_by_id = now, member_id
        session.add(item)


def enter_realisasi(
    session: Session,
    indicator: Indicator,
    period: Period,
    value: Decimal,
    actor: Actor,
    *,
    note: str | None = None,
    kendala: str | None = None,
    tindak_lanjut: str | None = None,
    anomaly_reason: str | None = None,
    source: EntrySource = EntrySource.CHAT,
    now: datetime,
) -> Realisasi | None:
    """Store a value as the next revision; returns None when it equals the current one (nothing changed).

    Refused when the period is archived or the unit's form is approved (locked) or waiting for review.
    """
    fields = {
        "value": value, "note": note, "kendala": kendala, "tindak_lanjut": tindak_lanjut,
        "anomaly_reason": anomaly_reason,
    }

    def unchanged(current: Realisasi | None) -> bool:
        return current is not None and all(getattr(current, key) == item for key, item in fields.items())

    if PeriodStatus(period.status) is PeriodStatus.ARCHIVED:
        if unchanged(latest_revision(session, indicator.id, period.id)):
            return None
        raise WorkflowError(ErrorCode.PERIOD_ARCHIVED, period=period.code)
    form = form_for(session, indicator.unit_id, period.id, lock=True)
    current = latest_revision(session, indicator.id, period.id)  # read under the lock: the next revision is ours
    return add_revision(session, form, current, indicator, period, actor, fields, source=source, now=now)


def add_revision(session: Session, form: UnitForm, current: Realisasi | None, indicator: Indicator,
                 period: Period, actor: Actor, fields: dict[str, Any], *, source: EntrySource,
                 now: datetime) -> Realisasi | None:
    """`enter_realisasi` once the form is locked (`form_for(lock=True)`) and its `current` value read under the
    lock: the next revision, or None when `fields` (value, note, kendala, tindak lanjut, anomaly reason) are the
    current ones. The caller checked that the period is not archived."""
    if current is not None and all(getattr(current, key) == item for key, item in fields.items()):
        return None
    if FormStatus(form.status) in LOCKED_FORM:
        raise WorkflowError(LOCKED_FORM[FormStatus(form.status)], period=period.code)
    row = Realisasi(
        indicator_id=indicator.id,
        period_id=period.id,
        revision=(current.revision + 1) if current else 1,
        source=source,
        entered_by_id=actor.member_id,
        entered_at=now,
        **fields,
    )
    session.add(row)
    session.flush()
    if FormStatus(form.status) is FormStatus.RETURNED:
        resolve_returned_item(session, form, indicator.id, actor.member_id, now=now)
    before = None if current is None else {key: getattr(current, key) for key in fields}
    record_by(session, actor, "realisasi.enter", "realisasi", row.id, at=now, before=before,
              after={"indicator": indicator.code, "period": period.code, "revision": row.revision, **fields})
    return row
