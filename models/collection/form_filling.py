"""Filling a unit's form, indicator by indicator (SOP procedure A, step 7).

The walk is derived from stored data, not from a conversation: an item is pending while it has no value, while
its capaian is below target and kendala or tindak lanjut is missing, or while it was returned by the Sekretaris
and nobody has answered it since. So `/isi` always resumes at the first pending item, in any bot process.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, select

from models.calc.capaian import CapaianResult, Polarity, Target, YearTargets, aggregate, compute_capaian
from models.calc.year_path import YearPath, year_path
from models.collection.forms import FormReceipt, FormStatus, Review, ReviewDecision, ReviewItem, UnitForm, UnlockRequest
from models.collection.realisasi import (
    MAX_EVIDENCE_TEXT,
    EntrySource,
    Evidence,
    EvidenceKind,
    Realisasi,
    clean_file_name,
    latest_revision,
    typed_evidence_kind,
)
from models.collection.workflow import (
    LOCKED_FORM,
    add_revision,
    enter_realisasi,
    form_for,
    lock_form,
    resolve_returned_item,
)
from models.errors import ErrorCode, WorkflowError
from models.office.audit import Actor, record_by
from models.office.organisation import Member, Role
from models.office.permissions import Action, require, roles_of_member
from models.plan.indicators import Indicator, check_admissible, frequency_of
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.plan.pk import in_pk, indicators_of
from models.plan.reference import marker_column, note_marker
from models.plan.targets import load_plan, load_plans, target_for

FAR_OFF_RATIO = Decimal(3)  # a value over 3× or under ⅓ of last period's value or of the target needs a reason


@dataclass(frozen=True)
class Unlock:
    """Why a returned item is open again: a unit member asked, with a reason, and the Sekretaris granted it."""

    requested_by: str
    requested_by_id: int
    reason: str | None  # None for requests made before a reason was asked


@dataclass
class Item:
    """One indicator of a unit's form, with everything the chat shows about it."""

    indicator: Indicator
    current: Realisasi | None
    target: Target
    capaian: CapaianResult
    evidence: int
    returned: ReviewItem | None  # unresolved item of the latest return
    entered_by: str | None
    unlock: Unlock | None = None  # the unit's own request that reopened `returned` (no arahan then)
    returned_by_kabid: str | None = None  # the unit's kabid who returned it (KABID_REVIEW); None: the Sekretaris

    @property
    def below_target(self) -> bool:
        return self.capaian.tercapai is False

    @property
    def needs_kendala(self) -> bool:
        return self.current is not None and self.below_target and not self.current.kendala

    @property
    def needs_tindak_lanjut(self) -> bool:
        return self.current is not None and self.below_target and not self.current.tindak_lanjut

    @property
    def pending(self) -> bool:
        return self.current is None or self.returned is not None or self.needs_kendala or self.needs_tindak_lanjut


@dataclass
class Context:
    """What staff see before typing a value: targets, last period's value and the year so far."""

    target: Target
    annual: Target
    previous: Decimal | None
    previous_ref: PeriodRef | None
    year_to_date: Decimal | None
    polarity: Polarity = Polarity.POSITIVE  # a range is compared with its bounds, others with the target's value
    year_path: YearPath | None = None  # the year so far (to the end of last period) against the year and its path


def unit_indicators(session: Session, unit_id: int, period: Period) -> list[Indicator]:
    """The unit's indicators of the period's PK collected in this kind of period, in Renstra order."""
    return indicators_of(session, period.ref, unit_id=unit_id, frequency=frequency_of(period.kind))


def open_periods(session: Session) -> list[Period]:
    periods = session.exec(select(Period).where(Period.status == PeriodStatus.OPEN)).all()
    return sorted(periods, key=lambda p: p.sort_key)


def fillable_periods(session: Session, unit_id: int) -> list[Period]:
    """Open periods, and closed ones where the unit's form was returned and still needs its answers."""
    closed = session.exec(select(Period, UnitForm).join(UnitForm, UnitForm.period_id == Period.id).where(
        UnitForm.unit_id == unit_id, Period.status == PeriodStatus.CLOSED))
    periods = {p.id: p for p in open_periods(session)}
    periods.update({p.id: p for p, form in closed if fillable(p, form)})
    return sorted(periods.values(), key=lambda p: p.sort_key)


def latest_return(session: Session, form: UnitForm) -> Review | None:
    return session.exec(
        select(Review).where(Review.form_id == form.id, Review.decision == ReviewDecision.RETURN)
        .order_by(Review.id.desc()).limit(1)
    ).first()


def unresolved_returns(session: Session, form: UnitForm) -> dict[int, ReviewItem]:
    """Items of the latest return that nobody has answered yet (only while the form is returned)."""
    if FormStatus(form.status) is not FormStatus.RETURNED:
        return {}
    review = latest_return(session, form)
    if review is None:
        return {}
    items = session.exec(select(ReviewItem).where(ReviewItem.review_id == review.id, ReviewItem.resolved_at == None))  # noqa: E711
    return {item.indicator_id: item for item in items}


def _current_values(session: Session, period_id: int, indicator_ids: Collection[int]) -> dict[int, Realisasi]:
    """The latest revision of these indicators' values in the period (one query), by indicator id."""
    if not indicator_ids:
        return {}
    latest = (select(Realisasi.indicator_id, sa.func.max(Realisasi.revision).label("revision"))
              .where(Realisasi.period_id == period_id, Realisasi.indicator_id.in_(set(indicator_ids)))
              .group_by(Realisasi.indicator_id).subquery())
    rows = session.exec(select(Realisasi).join(latest, sa.and_(Realisasi.indicator_id == latest.c.indicator_id,
                                                               Realisasi.revision == latest.c.revision))
                        .where(Realisasi.period_id == period_id))
    return {row.indicator_id: row for row in rows}


def _evidence_counts(session: Session, period_id: int, indicator_ids: Collection[int]) -> dict[int, int]:
    """How many pieces of evidence each of these indicators has in the period (one query)."""
    if not indicator_ids:
        return {}
    rows = session.exec(select(Evidence.indicator_id, sa.func.count()).where(
        Evidence.period_id == period_id, Evidence.indicator_id.in_(set(indicator_ids))).group_by(Evidence.indicator_id))
    return dict(rows.all())


_EVIDENCE_COUNT = select(sa.func.count()).select_from(Evidence).where(
    Evidence.period_id == sa.bindparam("period_id"), Evidence.indicator_id == sa.bindparam("indicator_id"))


def evidence_count(session: Session, period_id: int, indicator_id: int) -> int:
    """How many pieces of evidence one indicator has in the period (an `IN` list would be rendered anew for every
    execution; this statement is prepared once)."""
    return session.exec(_EVIDENCE_COUNT, params={"period_id": period_id, "indicator_id": indicator_id}).one()


def _names(session: Session, values: Collection[Realisasi]) -> dict[int, str]:
    """The names of the members who entered these values (the acting member is usually loaded already)."""
    ids = {row.entered_by_id for row in values if row.entered_by_id is not None}
    loaded = {member_id: member for member_id in ids
              if (member := session.identity_map.get(sa.inspect(Member).identity_key_from_primary_key((member_id,))))}
    names = {member_id: member.name for member_id, member in loaded.items()}
    if missing := ids - set(names):
        names.update(session.exec(select(Member.id, Member.name).where(Member.id.in_(missing))).all())
    return names


def _unlock(session: Session, returned: ReviewItem | None) -> Unlock | None:
    """The unlock request behind a returned item, if it was reopened by one (rare: read one by one)."""
    if returned is None or returned.unlock_request_id is None:
        return None
    request = session.get(UnlockRequest, returned.unlock_request_id)
    return Unlock(session.get(Member, request.requested_by_id).name, request.requested_by_id, request.reason)


def kabid_who_returned(session: Session, review: Review | None, unit_id: int) -> Member | None:
    """The unit's kabid who made this return (KABID_REVIEW), or None when the Sekretaris did (or it reopened an
    item at the unit's own request)."""
    reviewer = session.get(Member, review.reviewer_id) if review is not None and review.reviewer_id else None
    if reviewer is None or reviewer.unit_id != unit_id or Role.KABID not in roles_of_member(session, reviewer):
        return None
    return reviewer


def _returner(session: Session, returned: ReviewItem | None, unit_id: int) -> str | None:
    """The name of the kabid behind a returned item with arahan, if a kabid returned it (rare: read one by one)."""
    if returned is None or returned.unlock_request_id is not None:
        return None
    kabid = kabid_who_returned(session, session.get(Review, returned.review_id), unit_id)
    return kabid.name if kabid is not None else None


def _item(indicator: Indicator, period: Period, plan: YearTargets, current: Realisasi | None, evidence: int,
          returned: ReviewItem | None, names: dict[int, str], unlock: Unlock | None = None,
          returned_by_kabid: str | None = None) -> Item:
    target = target_for(plan, indicator.rule, period.ref)
    return Item(
        indicator=indicator,
        current=current,
        target=target,
        capaian=compute_capaian(current.value if current else None, target, indicator.rule),
        evidence=evidence,
        returned=returned,
        entered_by=names.get(current.entered_by_id) if current and current.entered_by_id else None,
        unlock=unlock,
        returned_by_kabid=returned_by_kabid,
    )


def form_items(session: Session, form: UnitForm) -> list[Item]:
    """Every item of the unit's form, reading only this unit's values, evidence and returned items (targets come
    from the process's cache)."""
    period = session.get(Period, form.period_id)
    indicators = unit_indicators(session, form.unit_id, period)
    ids = [indicator.id for indicator in indicators]
    values = _current_values(session, period.id, ids)
    evidence = _evidence_counts(session, period.id, ids)
    returned = unresolved_returns(session, form)
    plans = load_plans(session, ids, period.ref)
    names = _names(session, values.values())
    return [_item(indicator, period, plans[indicator.id], values.get(indicator.id), evidence.get(indicator.id, 0),
                  returned.get(indicator.id), names, _unlock(session, returned.get(indicator.id)),
                  _returner(session, returned.get(indicator.id), form.unit_id))
            for indicator in indicators]


def year_paths(session: Session, period: Period, items: list[Item]) -> dict[int, YearPath]:
    """The year so far of each item with a value, to the end of `period`, against the year and its path
    (`models.calc.year_path`), by indicator id: one query for the values, targets from the process's cache. Kept
    out of `form_items`, which the recap calls for every unit."""
    ref = period.ref
    ids = [item.indicator.id for item in items if item.current is not None]
    if not ids:
        return {}
    rows = session.exec(select(Realisasi.indicator_id, Period.number, Realisasi.revision, Realisasi.value)
                        .join(Period, Period.id == Realisasi.period_id)
                        .where(Realisasi.indicator_id.in_(ids), Period.kind == ref.kind, Period.year == ref.year,
                               Period.number <= ref.number)
                        .order_by(Realisasi.revision))
    series: dict[int, dict[int, Decimal]] = {}
    for indicator_id, number, _, value in rows:
        series.setdefault(indicator_id, {})[number] = value  # the last revision
    plans = load_plans(session, ids, ref)
    paths = {}
    for item in items:
        if item.current is None:
            continue
        values = series.get(item.indicator.id, {})
        to_date = aggregate([values.get(n) for n in range(1, ref.number + 1)], item.indicator.rule)
        paths[item.indicator.id] = year_path(to_date, plans[item.indicator.id], item.indicator.rule, ref.number,
                                             monthly=ref.kind is PeriodKind.MONTH)
    return paths


def form_item(session: Session, form: UnitForm, period: Period, indicator: Indicator,
              current: Realisasi | None = None) -> Item | None:
    """One item of the unit's form, as `form_items` has it (None when the indicator is not on the form): what a
    step shows after a value or a note, without reading the whole form. `current`: its value just entered."""
    if (indicator.unit_id != form.unit_id or indicator.frequency != frequency_of(period.kind)
            or not in_pk(session, indicator, period.ref)):
        return None
    current = current or latest_revision(session, indicator.id, period.id)
    evidence = evidence_count(session, period.id, indicator.id)
    returned = unresolved_returns(session, form).get(indicator.id)
    names = _names(session, [current] if current else [])
    return _item(indicator, period, load_plan(session, indicator.id, period.ref), current, evidence, returned, names,
                 _unlock(session, returned), _returner(session, returned, form.unit_id))


_STEP_SUBJECT = (select(Period, Indicator, marker_column()).join(Indicator, sa.true())  # one row of each
                 .where(Period.id == sa.bindparam("period_id"), Indicator.id == sa.bindparam("indicator_id")))


def step_subject(session: Session, period_id: int, indicator_id: int) -> tuple[Period | None, Indicator | None]:
    """The period and the indicator a step of the form is about (None when gone), read with the PK's version
    (`models.plan.reference`) in one statement: a typed value needs all three."""
    row = session.exec(_STEP_SUBJECT, params={"period_id": period_id, "indicator_id": indicator_id}).first()
    if row is None:
        return session.get(Period, period_id), session.get(Indicator, indicator_id)
    period, indicator, marker = row
    note_marker(session, marker)
    return period, indicator


def first_pending(items: list[Item]) -> Item | None:
    return next((item for item in items if item.pending), None)


_STORED_VALUES = (
    select(Period.year, Period.number, Realisasi.revision, Realisasi.value)
    .join(Realisasi, Realisasi.period_id == Period.id)
    .where(Realisasi.indicator_id == sa.bindparam("indicator_id"), Period.kind == sa.bindparam("kind"),
           sa.or_(sa.and_(Period.year == sa.bindparam("year"), Period.number < sa.bindparam("before")),
                  sa.and_(Period.year == sa.bindparam("also_year"), Period.number == sa.bindparam("also_number"))))
    .order_by(Realisasi.revision))


def _stored_values(session: Session, indicator_id: int, kind: PeriodKind, year: int, before: int,
                   also: PeriodRef) -> dict[PeriodRef, Decimal]:
    """The current value of an indicator in the periods of `kind` of `year` numbered below `before`, and in
    `also` (last period), by period: one query."""
    rows = session.exec(_STORED_VALUES, params={"indicator_id": indicator_id, "kind": kind, "year": year,
                                                "before": before, "also_year": also.year,
                                                "also_number": also.number})
    return {PeriodRef(kind, row_year, number): value for row_year, number, _, value in rows}  # the last revision


def context_for(session: Session, indicator: Indicator, period: Period) -> Context:
    """Targets from the process's cache; last period's value and the year so far in one query."""
    ref = period.ref
    plan = load_plan(session, indicator.id, ref)
    previous_ref = ref.previous()
    values = _stored_values(session, indicator.id, ref.kind, ref.year, ref.number, previous_ref)
    earlier = [values.get(PeriodRef(ref.kind, ref.year, n)) for n in range(1, ref.number)]
    year_to_date = aggregate(earlier, indicator.rule)
    path = year_path(year_to_date, plan, indicator.rule, ref.number - 1, monthly=ref.kind is PeriodKind.MONTH) \
        if year_to_date is not None else None
    return Context(
        target=target_for(plan, indicator.rule, ref),
        annual=target_for(plan, indicator.rule, ref.year),
        previous=values.get(previous_ref),
        previous_ref=previous_ref,
        year_to_date=year_to_date,
        polarity=Polarity(indicator.polarity),
        year_path=path,
    )


def is_far_off(value: Decimal, reference: Decimal | None) -> bool:
    """More than 3× or less than a third of the reference, or of the opposite sign (a zero or missing reference
    says nothing)."""
    if reference is None or reference == 0:
        return False
    if value != 0 and (value < 0) != (reference < 0):
        return True
    ratio = abs(value) / abs(reference)
    return ratio > FAR_OFF_RATIO or ratio < 1 / FAR_OFF_RATIO


def is_far_off_range(value: Decimal, lower: Decimal | None, upper: Decimal | None) -> bool:
    """Far from a target range: more than 3× its upper bound, less than a third of its lower bound, or of the
    opposite sign to the whole range (a missing bound says nothing on its side)."""
    if upper is not None and upper > 0 and value > upper * FAR_OFF_RATIO:
        return True
    if lower is not None and lower > 0 and value < lower / FAR_OFF_RATIO:
        return True
    return upper is not None and upper < 0 and value > 0  # a range of declines, and a rise


def far_off_reasons(value: Decimal, context: Context) -> list[str]:
    """Why a value looks wrong: `previous`, `target` and/or `range` (the soft check before a value is accepted)."""
    reasons = []
    if is_far_off(value, context.previous):
        reasons.append("previous")
    target = context.target
    if context.polarity is Polarity.RANGE:
        if is_far_off_range(value, target.lower, target.upper):
            reasons.append("range")
    elif is_far_off(value, target.value):
        reasons.append("target")
    return reasons


def fillable(period: Period, form: UnitForm | None) -> bool:
    """The one rule for filling: an open period, or a closed one whose form the Sekretaris returned."""
    status = PeriodStatus(period.status)
    returned = form is not None and FormStatus(form.status) is FormStatus.RETURNED
    return status is PeriodStatus.OPEN or (status is PeriodStatus.CLOSED and returned)


def check_fillable(session: Session, period: Period, form: UnitForm, indicator_id: int | None = None) -> None:
    """Raise unless the form may be filled now; a returned form only on the indicators that were returned."""
    status = FormStatus(form.status)
    if status in LOCKED_FORM:
        raise WorkflowError(LOCKED_FORM[status], period=period.code)
    if PeriodStatus(period.status) is PeriodStatus.ARCHIVED:
        raise WorkflowError(ErrorCode.PERIOD_ARCHIVED, period=period.code)
    if not fillable(period, form):
        raise WorkflowError(ErrorCode.PERIOD_CLOSED, period=period.code)
    if status is FormStatus.RETURNED and indicator_id is not None and indicator_id not in returned_ids(session, form):
        raise WorkflowError(ErrorCode.NOT_RETURNED_ITEM, period=period.code)


def returned_ids(session: Session, form: UnitForm) -> set[int]:
    """Indicators of the latest return (answered or not): the only ones a returned form may change."""
    review = latest_return(session, form)
    if review is None:
        return set()
    return set(session.exec(select(ReviewItem.indicator_id).where(ReviewItem.review_id == review.id)))


def _editable_form(session: Session, member: Member, indicator: Indicator, period: Period, *,
                   lock: bool = False) -> UnitForm:
    """The unit's form (under its row lock when `lock`), if this member may fill this indicator now (own unit, a
    filling role, `check_fillable`)."""
    require(session, member, Action.FILL_FORM, target_unit_id=indicator.unit_id, entity="period",
            entity_id=period.id)
    form = form_for(session, indicator.unit_id, period.id, lock=lock)
    check_fillable(session, period, form, indicator.id)
    return form


def record_value(
    session: Session, member: Member, indicator: Indicator, period: Period, value: Decimal,
    anomaly_reason: str | None = None, *, now: datetime,
) -> Realisasi | None:
    """Store a value typed in chat; kendala and tindak lanjut of the earlier revision carry over."""
    if not in_pk(session, indicator, period.ref):
        raise WorkflowError(ErrorCode.NOT_FOUND)
    check_admissible(value, indicator)
    form = _editable_form(session, member, indicator, period, lock=True)
    current = latest_revision(session, indicator.id, period.id)  # under the form's lock: the next revision is ours
    fields = {
        "value": value,
        "note": current.note if current else None,
        "kendala": current.kendala if current else None,
        "tindak_lanjut": current.tindak_lanjut if current else None,
        "anomaly_reason": anomaly_reason if anomaly_reason is not None else (
            current.anomaly_reason if current and current.value == value else None),
    }
    row = add_revision(session, form, current, indicator, period, Actor.member(member.id), fields,
                       source=EntrySource.CHAT, now=now)
    if row is None and FormStatus(form.status) is FormStatus.RETURNED:  # kept as it was: the item is answered
        resolve_returned_item(session, form, indicator.id, member.id, now=now)
    return row


def keep_value(session: Session, member: Member, indicator: Indicator, period: Period, *, now: datetime) -> None:
    """A returned item answered by keeping its value (e.g. evidence was what the arahan asked for)."""
    form = _editable_form(session, member, indicator, period)
    resolve_returned_item(session, form, indicator.id, member.id, now=now)
    record_by(session, Actor.member(member.id), "realisasi.keep", "indicator", indicator.id, at=now,
              after={"period": period.code})


def record_note(session: Session, member: Member, indicator: Indicator, period: Period, field: str,
                text: str, *, now: datetime) -> Realisasi | None:
    """Store kendala or tindak lanjut (`field`) as a new revision of the current value."""
    if field not in ("kendala", "tindak_lanjut", "note"):
        raise ValueError(field)
    _editable_form(session, member, indicator, period)
    current = latest_revision(session, indicator.id, period.id)
    if current is None:
        raise WorkflowError(ErrorCode.NO_VALUE)
    values = {"note": current.note, "kendala": current.kendala, "tindak_lanjut": current.tindak_lanjut, field: text}
    return enter_realisasi(session, indicator, period, current.value, Actor.member(member.id),
                           anomaly_reason=current.anomaly_reason, source=EntrySource.CHAT, now=now, **values)


def attach_evidence(
    session: Session, member: Member, indicator: Indicator, period: Period, *, kind: str,
    telegram_file_id: str, file_name: str | None, mime_type: str | None, stored_path: str | None, now: datetime,
) -> Evidence:
    """A file sent as evidence (its name cleaned, `clean_file_name`)."""
    file_name = clean_file_name(file_name)
    evidence = Evidence(indicator_id=indicator.id, period_id=period.id, kind=EvidenceKind(kind).value,
                        telegram_file_id=telegram_file_id, file_name=file_name,
                        mime_type=(mime_type or "")[:100] or None, stored_path=stored_path)
    return _attach(session, member, indicator, period, evidence, {"file_name": file_name}, now)


def attach_evidence_text(session: Session, member: Member, indicator: Indicator, period: Period, text: str, *,
                         now: datetime) -> Evidence:
    """A typed link or short text as evidence; the caller refuses an empty one or one longer than
    `MAX_EVIDENCE_TEXT` characters (worded for the member), which would not be stored."""
    text = text.strip()
    if not text or len(text) > MAX_EVIDENCE_TEXT:
        raise ValueError(f"evidence text of {len(text)} characters (1 to {MAX_EVIDENCE_TEXT})")
    kind = typed_evidence_kind(text)
    evidence = Evidence(indicator_id=indicator.id, period_id=period.id, kind=kind.value, stored_path=text)
    return _attach(session, member, indicator, period, evidence, {"kind": kind.value}, now)


def _attach(session: Session, member: Member, indicator: Indicator, period: Period, evidence: Evidence,
            details: dict, now: datetime) -> Evidence:
    lock_form(session, _editable_form(session, member, indicator, period))  # ordered like values (`form_mark`)
    evidence.uploaded_by_id, evidence.uploaded_at = member.id, now
    session.add(evidence)
    session.flush()
    record_by(session, Actor.member(member.id), "evidence.attach", "evidence", evidence.id, at=now,
              after={"indicator": indicator.code, "period": period.code, **details})
    return evidence


def missing_items(items: list[Item]) -> list[Item]:
    return [item for item in items if item.pending]


def note_receipt(session: Session, member: Member, period: Period, *, now: datetime) -> None:
    """Record that the member has the period's form (the first time they open it; later openings change nothing)."""
    exists = session.exec(select(FormReceipt.id).where(FormReceipt.period_id == period.id,
                                                       FormReceipt.member_id == member.id)).first()
    if exists is None:
        session.add(FormReceipt(period_id=period.id, member_id=member.id, received_at=now))


def receipts(session: Session, period: Period) -> set[int]:
    """Ids of the members who have opened the period's form."""
    return set(session.exec(select(FormReceipt.member_id).where(FormReceipt.period_id == period.id)))
