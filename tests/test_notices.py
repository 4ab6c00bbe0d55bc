"""Typed outbox notices: every notice type has a kind, decodes from the row format rows have always had, and has
its wording; what sending does to a row (sent, failed, retried with backoff, a part sent) is the domain's.

Given the outbox's row format (`kind` + JSON `params`), when a notice is queued, then the row holds the same kind
and param keys as before the notices were typed, so rows queued by an older version decode and deliver; a row
no notice type matches raises `UnknownNotice` instead of passing silently.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from handlers.notifications import WORDINGS
from models.messaging.notices import (
    NOTICE_TYPES,
    DeferredReply,
    DispositionNotice,
    Escalation,
    LaporanDocument,
    MeasurementReview,
    Notice,
    PeriodOpened,
    ReminderDue,
    ReplyPart,
    ReviewRequest,
    UnknownNotice,
    decode,
)
from models.messaging.outbox import (
    MAX_ATTEMPTS,
    OutboxMessage,
    OutboxStatus,
    enqueue,
    mark_failed,
    mark_sent,
    note_parts_sent,
    notices_of,
    retry_later,
)
from models.office.audit import Actor
from models.office.organisation import Member, ensure_office

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
# the kinds rows have been queued with since the outbox exists: they must keep their meaning
KINDS = {"period_opened", "review_request", "form_returned", "form_approved", "unlock_request", "unlock_decided",
         "report_ready", "kepala_report", "disposition_notice", "laporan_document", "measurement_ready",
         "measurement_review", "measurement_returned", "measurement_approved", "measurement_report",
         "measurement_disposed", "reminder", "escalation", "deferred_reply", "follow_up_done", "form_sent",
         "kabid_review_request"}


def notice_types(base: type[Notice] = Notice) -> set[type[Notice]]:
    """Every notice type defined (abstract groups such as `MeasurementNotice` have no kind of their own)."""
    found = set()
    for cls in base.__subclasses__():
        if "kind" in vars(cls):
            found.add(cls)
        found |= notice_types(cls)
    return found


def test_every_notice_type_has_its_kind_decodes_and_has_a_wording():
    defined = notice_types()
    assert set(NOTICE_TYPES.values()) == defined
    assert set(NOTICE_TYPES) == KINDS
    assert all(cls.kind == kind for kind, cls in NOTICE_TYPES.items())
    assert set(WORDINGS) == defined, "a notice type without its wording (handlers/notifications.py: WORDINGS)"


@pytest.mark.parametrize("notice, params", [
    (ReviewRequest(3, 2, True), {"form_id": 3, "version": 2, "resubmission": True}),
    (DispositionNotice(4, 9, follow_up=False), {"period_id": 4, "disposition_id": 9, "follow_up": False}),
    (LaporanDocument(period_id=4), {"period_id": 4}),
    (LaporanDocument(cycle_id=2, version=5, code="2026-TW1"), {"cycle_id": 2, "version": 5, "code": "2026-TW1"}),
    (MeasurementReview(2, 5, resubmission=True), {"cycle_id": 2, "version": 5, "resubmission": True}),
    (ReminderDue(7, replace=True), {"reminder_id": 7, "replace": True}),
    (Escalation(4, 1, "kabid", 3), {"period_id": 4, "unit_id": 1, "level": "kabid", "missed": 3}),
    (DeferredReply(5, (ReplyPart("<b>P.1</b>", ((("Lewati", "fl.skip|7"),),), 12), ReplyPart("Tersimpan"))),
     {"member_id": 5, "parts": [{"text": "<b>P.1</b>", "buttons": [[["Lewati", "fl.skip|7"]]], "question": 12},
                                {"text": "Tersimpan", "buttons": [], "question": None}]}),
])
def test_a_notice_is_stored_with_the_param_keys_rows_always_had_and_decodes_back(notice, params):
    assert notice.params() == params
    assert json.loads(notice.params_json()) == params
    assert decode(notice.kind, notice.params_json()) == notice


def test_rows_written_before_a_field_existed_decode_with_its_default():
    assert decode("reminder", '{"reminder_id": 7}') == ReminderDue(7, replace=False)
    assert decode("review_request", '{"form_id": 3, "version": 1}') == ReviewRequest(3, 1, resubmission=False)


def test_an_unknown_kind_or_unexpected_params_fail_loudly():
    with pytest.raises(UnknownNotice, match="no_such_notice"):
        decode("no_such_notice", "{}")
    with pytest.raises(UnknownNotice, match="period_opened"):
        decode("period_opened", '{"period": 4}')
    with pytest.raises(UnknownNotice):
        decode("period_opened", "{}")


def test_notices_are_plain_frozen_values():
    with pytest.raises(AttributeError):
        PeriodOpened(4).period_id = 5  # type: ignore[misc]
    assert PeriodOpened(4) == PeriodOpened(4) and hash(PeriodOpened(4)) == hash(PeriodOpened(4))


# -- the outbox row ------------------------------------------------------------------------------------------------

@pytest.fixture
def someone(session: Session) -> int:
    """A member of the office, for rows to be addressed to."""
    office = ensure_office(session, Actor.cli())
    member = Member(telegram_user_id=101, name="Admin", unit_id=office.id)
    session.add(member)
    session.flush()
    return member.id


def queued(session: Session, member_id: int, notice: Notice) -> OutboxMessage:
    assert enqueue(session, member_id, notice, f"test:{notice.kind}:{notice.params_json()}")
    session.flush()
    return session.exec(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()


def test_enqueue_writes_the_kind_and_params_and_is_idempotent_by_dedupe_key(session: Session, someone: int):
    row = queued(session, someone, ReviewRequest(3, 2))
    assert (row.kind, json.loads(row.params)) == ("review_request", {"form_id": 3, "version": 2,
                                                                      "resubmission": False})
    assert row.notice == ReviewRequest(3, 2)
    assert not enqueue(session, someone, ReviewRequest(3, 2), row.dedupe_key)


def test_a_periods_invitations_are_found_by_notice_type_and_period_whatever_their_dedupe_key(
        session: Session, someone: int):
    mine = [queued(session, someone, PeriodOpened(4)).id]
    queued(session, someone, PeriodOpened(14))
    queued(session, someone, PeriodOpened(40))  # another period, its id starting with the same digit
    queued(session, someone, DispositionNotice(4, 1))
    old = OutboxMessage(member_id=someone, kind="period_opened", params='{"period_id": 4}', dedupe_key="legacy")
    session.add(old)
    session.flush()
    mine.append(old.id)
    assert [row.id for row in notices_of(session, PeriodOpened, period_id=4)] == mine


TERM = "the-leaders-term"


def claimed(row: OutboxMessage) -> OutboxMessage:
    """The row as the delivery holds it while sending: claimed by the leader's term (each outcome ends the claim)."""
    row.claimed_until, row.claimed_by = NOW + timedelta(seconds=15), TERM
    return row


def test_a_row_sent_failed_or_retried(session: Session, someone: int):
    row = claimed(queued(session, someone, PeriodOpened(4)))
    retry_later(session, row.id, NOW, "500", parts_sent=1, term=TERM)
    assert (row.status, row.attempts, row.parts_sent, row.claimed_until) == (OutboxStatus.PENDING, 1, 1, None)
    assert row.next_attempt_at == NOW + timedelta(seconds=2)
    retry_later(session, claimed(row).id, NOW, "429 retry after 30", 30.0, term=TERM)
    assert row.next_attempt_at == NOW + timedelta(seconds=30) and row.parts_sent == 1  # never fewer parts
    note_parts_sent(session, claimed(row).id, 2, term=TERM)
    mark_sent(session, row.id, NOW, 2, term=TERM)
    assert (row.status, row.sent_at, row.attempts, row.error) == (OutboxStatus.SENT, NOW, 3, None)

    blocked = claimed(queued(session, someone, PeriodOpened(5)))
    mark_failed(session, blocked.id, "Forbidden: bot was blocked by the user", term=TERM)
    assert (blocked.status, blocked.attempts) == (OutboxStatus.FAILED, 1)


def test_backoff_doubles_and_the_last_attempt_fails_for_good(session: Session, someone: int):
    row = queued(session, someone, PeriodOpened(4))
    waits = []
    while OutboxStatus(row.status) is OutboxStatus.PENDING:
        retry_later(session, claimed(row).id, NOW, "timed out", term=TERM)
        waits.append((row.next_attempt_at - NOW).total_seconds())
    assert row.attempts == MAX_ATTEMPTS and row.status == OutboxStatus.FAILED
    assert waits[:-1] == [2, 4, 8, 16, 32, 64, 128]
