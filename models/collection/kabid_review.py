"""The kabid in the loop (the office's `kabid_review` rule, off by default): a Bidang's form sent by its staff
waits for its head (kabid), who approves it on to the Sekretaris or returns chosen indicators with arahan, as
the Sekretaris does (SOP A7: the Bidang hands in its form; the head answers for it).

`send_for_review` (`models/collection/review.py`) decides where a form goes; here is what the kabid does with it.
Each decision checks the form's state and the version the card was made from under the form's row lock, so two
quick presses (or two heads at once) change the form once, and writes its audit entry in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session

from models.collection.form_filling import latest_return
from models.collection.forms import FormStatus, Review, UnitForm
from models.collection.review import request_review, return_chosen
from models.collection.workflow import lock_form, move_form
from models.errors import ErrorCode, WorkflowError
from models.office.audit import Actor
from models.office.organisation import Member
from models.office.permissions import Action, require


def _form_for_kabid(session: Session, member: Member, form_id: int, expected_version: int | None) -> UnitForm:
    """The form, checked: the member heads its unit, and it still waits for him at the version he saw (else
    `STALE` or `NOT_ALLOWED`, worded "already handled by … at …")."""
    form = session.get(UnitForm, form_id)
    if form is None:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    require(session, member, Action.KABID_REVIEW, target_unit_id=form.unit_id, entity="unit_form", entity_id=form.id)
    lock_form(session, form)
    status = FormStatus(form.status)
    if expected_version is not None and expected_version != form.version:
        raise WorkflowError(ErrorCode.STALE, status=status.value, version=form.version, form_id=form.id)
    if status is not FormStatus.WAITING_KABID:
        raise WorkflowError(ErrorCode.NOT_ALLOWED, status=status.value, to=FormStatus.SUBMITTED.value,
                            form_id=form.id)
    return form


def check_kabid_review(session: Session, member: Member, form_id: int, expected_version: int | None) -> UnitForm:
    """Before 'Kembalikan' asks which indicators: the form waits for this kabid at the version he saw."""
    return _form_for_kabid(session, member, form_id, expected_version)


def approve_as_kabid(session: Session, member: Member, form_id: int, expected_version: int | None, *,
                     now: datetime) -> UnitForm:
    """'Setujui' of the kabid: the form goes on to every Sekretaris, as a staff's submission does without the
    rule (a form returned before is a resubmission for them)."""
    form = _form_for_kabid(session, member, form_id, expected_version)
    resubmission = latest_return(session, form) is not None
    move_form(session, form, FormStatus.SUBMITTED, Actor.member(member.id), expected_version, now=now)
    request_review(session, form, resubmission)
    return form


def return_as_kabid(session: Session, member: Member, form_id: int, expected_version: int | None,
                    indicator_ids: Iterable[int], arahan: str, *, now: datetime) -> Review:
    """'Kembalikan' of the kabid: the chosen indicators go back to his staff with the arahan."""
    form = _form_for_kabid(session, member, form_id, expected_version)
    return return_chosen(session, member, form, FormStatus.WAITING_KABID, expected_version, indicator_ids, arahan,
                         now=now)
