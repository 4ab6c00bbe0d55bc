"""Decision cards: every copy of a card that asks someone to decide, so that a decision shows on all of them.

A card is a notice with decision buttons (a form to review, an unlock request, a period ready to report, the
Kepala Dinas's report, a measurement to review or dispose), sent to several people (every Sekretaris, every
Kepala Dinas, whoever acts for them). Each copy delivered is a `SentCard` row: the message that shows it, with
its text and buttons as sent (worded in its recipient's language), so that it can be edited later without being
worded again from data that has moved on.

When the thing is decided, the domain calls `decide_cards` in the decision's transaction (under the decided
row's lock): every copy not decided yet is marked with the outcome (who, when, what) and, except the copy the
decider pressed (edited in place by the chat), gets a `CardDecided` notice, which the delivery sends as an edit
of that message. A decision row (no member, no message) keeps the outcome for copies delivered later: a copy
recorded after the decision (it was in flight) is decided at once (`record_card`). Both sides hold the decided
row's lock (the form, the request, the period, the measurement), so on PostgreSQL one of them always sees the
other's row.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, select

from models.messaging.notices import Buttons, CardDecided
from models.messaging.outbox import enqueue
from models.store.types import UTCDateTime, enum_type, utcnow


class CardKind(StrEnum):
    REVIEW = "review"  # a unit's form to the Sekretaris (entity: the form; version: the form's as submitted)
    UNLOCK = "unlock"  # an unlock request (entity: the request)
    REPORT_READY = "report_ready"  # a period ready to report (entity: the period)
    KEPALA_REPORT = "kepala_report"  # the period's report to the Kepala Dinas (entity: the period)
    MEASUREMENT_REVIEW = "measurement_review"  # (entity: the cycle; version: the cycle's as submitted)
    MEASUREMENT_REPORT = "measurement_report"  # (entity: the cycle; version: the cycle's as reported)


class Outcome(StrEnum):
    APPROVED = "approved"
    RETURNED = "returned"
    GRANTED = "granted"
    REFUSED = "refused"
    REPORTED = "reported"
    AGREED = "agreed"
    ARAHAN = "arahan"


PRESSED = "pressed_card"  # `Session.info`: (chat id, message id) of the card whose button the member pressed


class SentCard(SQLModel, table=True):
    """A copy of a card as delivered (or, with no member, the decision of a card: `decision` rows)."""

    __tablename__ = "sent_cards"
    __table_args__ = (sa.Index("ix_sent_cards_card", "kind", "entity_id", "version"),
                      sa.Index("ix_sent_cards_message", "chat_id", "message_id"))

    id: int | None = Field(default=None, primary_key=True)
    kind: CardKind = Field(sa_type=enum_type(CardKind))
    entity_id: int
    version: int = Field(default=0)
    member_id: int | None = Field(default=None, foreign_key="members.id")  # None: the decision row
    chat_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    message_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    text: str = Field(default="", sa_type=sa.Text)  # HTML, as sent
    buttons: str = Field(default="[]", sa_type=sa.Text)  # JSON rows of [label, callback data], as sent
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    outcome: Outcome | None = Field(default=None, sa_type=enum_type(Outcome))
    decided_by_id: int | None = Field(default=None, foreign_key="members.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    detail: str | None = Field(default=None, sa_type=sa.Text)  # the codes returned, an arahan

    @property
    def button_rows(self) -> Buttons:
        return tuple(tuple((str(label), str(data)) for label, data in row) for row in json.loads(self.buttons))


def _of_card(kind: CardKind, entity_id: int, version: int):
    return SentCard.kind == kind, SentCard.entity_id == entity_id, SentCard.version == version


def _decide(card: SentCard, decision: SentCard) -> None:
    card.outcome, card.decided_by_id = decision.outcome, decision.decided_by_id
    card.decided_at, card.detail = decision.decided_at, decision.detail


def _tell(session: Session, card: SentCard) -> None:
    enqueue(session, card.member_id, CardDecided(card.id), f"card:{card.id}:{card.decided_at.isoformat()}")


def record_card(session: Session, kind: CardKind, entity_id: int, version: int, member_id: int, chat_id: int,
                message_id: int, text: str, buttons: Buttons) -> SentCard:
    """A copy delivered (in the transaction that marks its notice sent, holding the decided row's lock); decided
    at once, and its edit queued, when the card was decided while it was on its way."""
    card = SentCard(kind=kind, entity_id=entity_id, version=version, member_id=member_id, chat_id=chat_id,
                    message_id=message_id, text=text, buttons=json.dumps([list(map(list, row)) for row in buttons]))
    decision = session.exec(select(SentCard).where(*_of_card(kind, entity_id, version),
                                                   SentCard.member_id == None)).first()  # noqa: E711
    if decision is not None:
        _decide(card, decision)
    session.add(card)
    session.flush()
    if decision is not None:
        _tell(session, card)
    return card


def recorded(session: Session, chat_id: int, message_id: int) -> bool:
    """The message is a copy recorded already."""
    return session.exec(select(SentCard.id).where(SentCard.chat_id == chat_id, SentCard.message_id == message_id)
                        .limit(1)).first() is not None


def pressing(session: Session, chat_id: int, message_id: int) -> None:
    """The update being handled is a press on this message (its card, if it is one, is edited in place)."""
    session.info[PRESSED] = (chat_id, message_id)


def pressed_card(session: Session) -> SentCard | None:
    """The copy of a card whose button the member pressed, if the pressed message is one."""
    pressed = session.info.get(PRESSED)
    if pressed is None:
        return None
    return session.exec(select(SentCard).where(SentCard.chat_id == pressed[0], SentCard.message_id == pressed[1])
                        .order_by(SentCard.id.desc()).limit(1)).first()


def decide_cards(session: Session, kind: CardKind, entity_id: int, outcome: Outcome, by_id: int | None,
                 at: datetime, *, version: int = 0, detail: str | None = None) -> None:
    """The card is decided (called under the decided row's lock, in the decision's transaction): every copy not
    decided yet shows the outcome; each is edited through the outbox except the one pressed, which the chat
    edits in place (`pressed_card`). Deciding again (a second decision of one card) changes nothing."""
    decision = SentCard(kind=kind, entity_id=entity_id, version=version, outcome=outcome, decided_by_id=by_id,
                        decided_at=at, detail=detail)
    existing = session.exec(select(SentCard).where(*_of_card(kind, entity_id, version),
                                                   SentCard.member_id == None)).first()  # noqa: E711
    if existing is not None:
        return
    session.add(decision)
    pressed = session.info.get(PRESSED)
    for card in session.exec(select(SentCard).where(*_of_card(kind, entity_id, version),
                                                    SentCard.member_id != None,  # noqa: E711
                                                    SentCard.outcome == None)):  # noqa: E711
        _decide(card, decision)
        session.add(card)
        if pressed != (card.chat_id, card.message_id):
            _tell(session, card)
    session.flush()


def reopen_cards(session: Session, kind: CardKind, entity_id: int, version: int = 0) -> None:
    """A decision taken back (the Kepala Dinas's "Setuju" undone within its window): the card may be decided again,
    and its copies then show the new outcome."""
    session.execute(sa.delete(SentCard).where(*_of_card(kind, entity_id, version), SentCard.member_id == None))  # noqa: E711
    session.execute(sa.update(SentCard).where(*_of_card(kind, entity_id, version))
                    .values(outcome=None, decided_by_id=None, decided_at=None, detail=None))
