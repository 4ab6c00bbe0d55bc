"""Decision cards in the domain: a decision marks every copy and queues one edit per copy but the pressed one; a copy
recorded after the decision (it was on its way) is decided at once; a second decision changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from models.messaging.cards import (
    CardKind,
    Outcome,
    SentCard,
    decide_cards,
    pressed_card,
    pressing,
    record_card,
)
from models.messaging.notices import CardDecided
from models.messaging.outbox import OutboxMessage
from models.office.audit import Actor
from models.office.organisation import Member, ensure_office

NOW = datetime(2026, 12, 1, 14, 23, tzinfo=UTC)
BUTTONS = ((("✅ Setujui", "rv.ok|7|2"), ("↩️ Kembalikan", "rv.ret|7|2")), (("📎 Bukti (1)", "bk|7"),))


def people(session: Session) -> list[Member]:
    office = ensure_office(session, Actor.cli())
    members = [Member(telegram_user_id=200 + n, name=f"Sekretaris {n}", unit_id=office.id) for n in range(3)]
    session.add_all(members)
    session.flush()
    return members


def copy_for(session: Session, member: Member, message_id: int, version: int = 2) -> SentCard:
    return record_card(session, CardKind.REVIEW, 7, version, member.id, member.telegram_user_id, message_id,
                       "📥 <b>Formulir</b>", BUTTONS)


def edits(session: Session) -> list[tuple[int, int]]:
    return [(row.member_id, row.notice.card_id) for row in session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == CardDecided.kind).order_by(OutboxMessage.id))]


def test_a_decision_edits_every_other_copy_once_and_the_pressed_one_in_place(session: Session):
    first, second, third = people(session)
    mine, theirs = copy_for(session, first, 10), copy_for(session, second, 11)
    older = copy_for(session, third, 12, version=1)  # the card of an earlier submission: not this decision's
    pressing(session, first.telegram_user_id, 10)

    decide_cards(session, CardKind.REVIEW, 7, Outcome.RETURNED, first.id, NOW, version=2, detail="P.1, P.3")

    assert pressed_card(session).id == mine.id
    assert (mine.outcome, mine.decided_by_id, mine.detail) == (Outcome.RETURNED, first.id, "P.1, P.3")
    assert theirs.outcome is Outcome.RETURNED and older.outcome is None
    assert edits(session) == [(second.id, theirs.id)]  # not the pressed copy, not the older card's
    assert mine.button_rows == BUTTONS

    decide_cards(session, CardKind.REVIEW, 7, Outcome.APPROVED, second.id, NOW, version=2)  # a second decision
    assert mine.outcome is Outcome.RETURNED and edits(session) == [(second.id, theirs.id)]


def test_a_copy_recorded_after_the_decision_is_decided_at_once(session: Session):
    first, second, _ = people(session)
    decide_cards(session, CardKind.REVIEW, 7, Outcome.APPROVED, first.id, NOW, version=2)
    assert edits(session) == []  # no copy yet

    late = copy_for(session, second, 20)  # delivered while the decision was taken

    assert (late.outcome, late.decided_by_id, late.decided_at) == (Outcome.APPROVED, first.id, NOW)
    assert edits(session) == [(second.id, late.id)]
    assert copy_for(session, second, 21, version=3).outcome is None  # the next submission's card is open
