"""What must hold after a chaos run, counted from the database and the emulator.

- lost: an update a member sent that no process handled (not in `handled_updates`, and the inbox does not have it
  as finished); one the inbox finished without its work being done (its handler failed, and the member was told
  "terjadi kesalahan") is counted as `failed`, one it gave up on as `gave_up`;
- misfiled: a stored realisasi revision whose value, kendala or tindak lanjut is not what its unit's staff typed
  for that indicator (an answer filed under the wrong question, field, indicator or unit);
- doubled: revisions a member caused beyond the answers they typed for that indicator (an update handled twice);
- out of order: a member's update handled before an earlier one of theirs (`handled_updates.handled_at`, the
  moment the update's transaction began, against the update ids);
- forms not sent, indicators left incomplete;
- notifications: outbox rows neither sent nor failed (lost), failed rows, and notifications that reached their
  chat more than once;
- duplicates: bot messages with identical content (text and buttons) to one chat beyond the first. Some are
  legitimate (a question asked again after an answer that came too early looks the same), so scenarios assert
  them within a window instead of at zero.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from emulator.server import BotApiEmulator
from models.collection.forms import FormStatus, UnitForm
from models.collection.realisasi import Realisasi
from models.messaging.chat_state import HandledUpdate
from models.messaging.inbox import InboxUpdate
from models.messaging.outbox import OutboxMessage, OutboxStatus
from models.office.organisation import Member, Unit
from models.plan.indicators import Indicator
from models.plan.periods import Period
from tests.chaos.members import Ask, Person
from tests.chaos.office import ANSWERS, NOVEMBER, SEKRETARIS

NOTIFICATIONS = ("📋 Formulir", "menunggu pemeriksaan Anda")  # period opened (to staff), review request
ERROR_REPLY = "terjadi kesalahan"  # `error.unexpected`: the handling of an update failed


@dataclass
class Report:
    updates: int = 0
    lost: int = 0
    failed: int = 0
    gave_up: int = 0
    misfiled: int = 0
    doubled: int = 0
    out_of_order: int = 0
    forms_not_sent: int = 0
    members_stuck: int = 0  # members who had not seen their form sent when the run's time was up
    incomplete: int = 0
    outbox_rows: int = 0
    outbox_unfinished: int = 0
    outbox_failed: int = 0
    notifications_repeated: int = 0
    duplicates: int = 0
    error_replies: int = 0  # "Maaf, terjadi kesalahan": an update whose handling failed, told to its member
    retries: int = 0  # /isi typed again by members whom the bot left without an answer for a while
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # a few of each breach
    misfiled_by: list[int] = field(default_factory=list)  # the chats whose member entered a misfiled revision

    def line(self, scenario: str) -> str:
        counts = " ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self)
                          if f.name not in ("examples", "misfiled_by"))
        return f"chaos[{scenario}] {counts}"

    def example(self, kind: str, what: str) -> None:
        if len(self.examples[kind]) < (8 if kind == "duplicates" else 3):
            self.examples[kind].append(what)


def check(engine: Engine, emu: BotApiEmulator, people: list[Person]) -> Report:
    report = Report(retries=sum(person.retries for person in people),
                    members_stuck=sum(1 for person in people if not person.done))
    with Session(engine) as session:
        _updates(session, people, report)
        _realisasi(session, people, report)
        _forms(session, report)
        _outbox(session, report)
    _messages(emu, people, report)
    return report


def _updates(session: Session, people: list[Person], report: Report) -> None:
    handled = dict(session.exec(select(HandledUpdate.update_id, HandledUpdate.handled_at)).all())
    gave_up = set(session.exec(select(InboxUpdate.update_id).where(InboxUpdate.gave_up)).all())
    finished = set(session.exec(select(InboxUpdate.update_id).where(InboxUpdate.handled_at.is_not(None))).all())
    for person in people:
        ids = [typed.update_id for typed in person.typed]
        report.updates += len(ids)
        report.gave_up += sum(1 for update_id in ids if update_id in gave_up)
        for typed in person.typed:
            if typed.update_id in handled or typed.update_id in gave_up:
                continue
            kind = "failed" if typed.update_id in finished else "lost"
            setattr(report, kind, getattr(report, kind) + 1)
            report.example(kind, f"{person.staff.name}: update {typed.update_id} {typed.text!r}")
        moments = sorted((update_id, handled[update_id]) for update_id in ids if update_id in handled)
        for (first, earlier), (second, later) in zip(moments, moments[1:], strict=False):
            if later < earlier:
                report.out_of_order += 1
                report.example("out_of_order", f"{person.staff.name}: update {second} handled before {first}")


def _november(session: Session) -> int:
    return session.exec(select(Period.id).where(Period.kind == NOVEMBER.kind, Period.year == NOVEMBER.year,
                                                Period.number == NOVEMBER.number)).one()


def _realisasi(session: Session, people: list[Person], report: Report) -> None:
    rows = session.exec(select(Indicator.code, Realisasi, Member.telegram_user_id)
                        .join(Indicator, Indicator.id == Realisasi.indicator_id)
                        .join(Member, Member.id == Realisasi.entered_by_id, isouter=True)
                        .where(Realisasi.period_id == _november(session))
                        .order_by(Realisasi.indicator_id, Realisasi.revision)).all()
    latest: dict[str, Realisasi] = {}
    caused: Counter[tuple[int, str]] = Counter()
    for code, row, telegram_id in rows:
        answer = ANSWERS[code]
        if (row.value != answer.value or row.kendala not in (None, answer.kendala(code))
                or row.tindak_lanjut not in (None, answer.tindak_lanjut(code))):
            report.misfiled += 1
            report.misfiled_by.append(telegram_id)
            report.example("misfiled", f"{code} rev {row.revision}: value {row.value}, kendala {row.kendala!r}, "
                                       f"tindak lanjut {row.tindak_lanjut!r}")
        latest[code] = row
        caused[telegram_id, code] += 1
    for code, answer in ANSWERS.items():
        row = latest.get(code)
        if row is None or (row.value, row.kendala, row.tindak_lanjut) != (
                answer.value, answer.kendala(code), answer.tindak_lanjut(code)):
            report.incomplete += 1
    answered: Counter[tuple[int, str]] = Counter()
    for person in people:
        reasons = sum(1 for typed in person.typed if typed.ask is Ask.REASON)
        for typed in person.typed:
            if typed.code is not None and typed.ask in (Ask.VALUE, Ask.KENDALA, Ask.TINDAK_LANJUT):
                answered[person.chat_id, typed.code] += 1
        for code in ANSWERS:
            answered[person.chat_id, code] += reasons  # a reason is filed with the value it explains
    report.doubled = sum(max(0, count - answered[key]) for key, count in caused.items())


def _forms(session: Session, report: Report) -> None:
    november = _november(session)
    units = session.exec(select(Unit.id).where(Unit.parent_id.is_not(None))).all()
    statuses = dict(session.exec(select(UnitForm.unit_id, UnitForm.status)
                                 .where(UnitForm.period_id == november)).all())
    report.forms_not_sent = sum(1 for unit in units if FormStatus(statuses.get(unit, FormStatus.DRAFT)) is not
                                FormStatus.SUBMITTED)


def _outbox(session: Session, report: Report) -> None:
    statuses = [OutboxStatus(status) for status in session.exec(select(OutboxMessage.status)).all()]
    report.outbox_rows = len(statuses)
    report.outbox_unfinished = sum(1 for status in statuses if status is OutboxStatus.PENDING)
    report.outbox_failed = sum(1 for status in statuses if status is OutboxStatus.FAILED)


def _content(message: dict) -> str:
    return json.dumps([message.get("text") or message.get("caption"), message.get("reply_markup")], sort_keys=True,
                      ensure_ascii=False)


def _messages(emu: BotApiEmulator, people: list[Person], report: Report) -> None:
    """Identical messages to one chat; the notifications among them are counted apart. Sent messages are read
    from the emulator's log as they were sent (a pressed message's keyboard is closed afterwards)."""
    chats = {person.chat_id for person in people} | {SEKRETARIS}
    seen: dict[int, Counter[str]] = defaultdict(Counter)
    for message in emu.state.bot_messages:
        chat = message["chat"]["id"]
        if chat in chats:
            seen[chat][_content(message)] += 1
            report.error_replies += ERROR_REPLY in (message.get("text") or "")
    for counts in seen.values():
        for content, count in counts.items():
            report.duplicates += count - 1
            if count > 1:
                report.example("duplicates", f"{count}× {content[:160]}")
            if any(mark in content for mark in NOTIFICATIONS):
                report.notifications_repeated += count - 1
