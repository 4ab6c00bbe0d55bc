"""Cards show the outcome: every copy of a decision card shows who decided and when, and a late press is an alert.

Given two Sekretaris (or two Kepala Dinas) who both got a card (a unit's form to review, an unlock request, the
period's report), when one of them decides, then both copies are edited to the outcome ("✅ Disetujui oleh Pak
Sekretaris · 23.05") and lose their decision buttons (a form's 📎 Bukti stays); when the other then presses the
old button on a client that still shows it, the press is answered by an alert saying who decided and when, no new
message comes, and nothing changes.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import func, select

from handlers.callbacks import Button, pack
from i18n import t
from models.calc.dates import format_datetime
from models.collection.forms import FormStatus, UnitForm, UnlockRequest, UnlockStatus
from models.collection.review import approve_unit_form, request_unlock, submit_unit_form
from models.messaging.cards import SentCard
from models.messaging.outbox import OutboxMessage, OutboxStatus
from models.office.audit import Actor, AuditEntry
from models.office.invites import accept_invite, create_invite
from models.office.organisation import Role, Unit
from models.plan.indicators import Indicator
from models.store.database import session_scope
from tests.chat.conftest import DRAWING, World, alert_of, button_data, has_button
from tests.chat.test_permissions import (
    KEPALA,
    PENGADUAN,
    PENGADUAN_UNIT,
    SEKRETARIS,
    all_approved,
    fill_form,
    member,
    open_october,
    submitted,
    wake,
)

OTHER_SEKRETARIS, OTHER_KEPALA = 105, 106
APPROVE, RETURN = t("review.approve_button", "id"), t("review.return_button", "id")
GRANT, REFUSE = t("review.unlock_grant_button", "id"), t("review.unlock_refuse_button", "id")
AGREE, ARAHAN = t("notify.agree_button", "id"), t("notify.arahan_button", "id")
REPORT = t("notify.report_button", "id")
SENDING = ("sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup")


def add_member(world: World, telegram_id: int, name: str, role: Role) -> None:
    with session_scope(world.engine) as session:
        unit = session.exec(select(Unit).where(Unit.name == "Sekretariat")).one() if role is Role.SEKRETARIS else \
            session.exec(select(Unit).where(Unit.parent_id == None)).one()  # noqa: E711
        _, token = create_invite(session, role, unit, Actor.cli(), now=world.clock.now)
        accept_invite(session, token, telegram_id, name, "id", now=world.clock.now)
    world.emu.user(telegram_id, name)


def labels(message: dict) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def now_shown(world: World, chat_id: int, message: dict) -> dict:
    """The message as it shows now (after edits)."""
    return next(m for m in world.emu.sent_by_bot(chat_id) if m["message_id"] == message["message_id"])


def sent_to(world: World, chat_id: int) -> int:
    """Messages the bot sent to the chat so far (not edits)."""
    return sum(1 for call in world.emu.calls if call.method in SENDING and call.ok
               and str(call.params.get("chat_id")) == str(chat_id))


def when(world: World, moment) -> str:
    return format_datetime(moment, world.application.bot_data.timezone, "id")


async def card_of(world: World, chat_id: int, text: str, button: str) -> dict:
    return await world.emu.wait_for_bot_message(chat_id, lambda m: text in (m.get("text") or "")
                                                and has_button(m, button))


async def until_shows(world: World, chat_id: int, message: dict, text: str) -> dict:
    """Wait until the message is edited to show `text` (the outcome comes as an edit, never a new message)."""
    return await world.emu.wait_for_bot_screen(
        chat_id, lambda m: m["message_id"] == message["message_id"] and text in (m.get("text") or ""), since=0)


async def settled(world: World) -> None:
    """Wait until the outbox has sent everything queued (notices come on their own time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DRAWING * 2
    while loop.time() < deadline:
        with world.session() as session:
            if session.exec(select(func.count()).select_from(OutboxMessage)
                            .where(OutboxMessage.status == OutboxStatus.PENDING)).one() == 0:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not settle")


async def late_press(world: World, chat_id: int, card: dict, label: str) -> str:
    """The member presses the card's old button (a client that still shows it): the alert, and no new message."""
    await settled(world)
    before = sent_to(world, chat_id)
    query = await world.emu.user(chat_id).press(card, button_data(card, label), force=True)
    alert = await alert_of(world.emu, query)
    await world.emu.user(chat_id).send_command("/bantuan")  # a fence: whatever the press said came before it
    await world.emu.wait_for_bot_message(chat_id, "Perintah untuk Anda")
    assert sent_to(world, chat_id) == before + 1, "the late press sent a message besides its alert"
    return alert


def units(text: str) -> int:
    """The length Telegram gives entities in: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


async def test_an_approval_shows_on_both_sekretaris_cards_and_a_late_press_is_an_alert(world: World):
    add_member(world, OTHER_SEKRETARIS, "Bu Sekretaris Dua", Role.SEKRETARIS)
    period_id = open_october(world)
    form_id, version = submitted(world, period_id)
    mine = await card_of(world, SEKRETARIS, PENGADUAN_UNIT, APPROVE)
    other = await card_of(world, OTHER_SEKRETARIS, PENGADUAN_UNIT, APPROVE)
    before_other = sent_to(world, OTHER_SEKRETARIS)

    await world.emu.user(SEKRETARIS).press(mine, button_data(mine, APPROVE))

    shown = {chat: await until_shows(world, chat, card, "Disetujui oleh Pak Sekretaris")
             for chat, card in ((SEKRETARIS, mine), (OTHER_SEKRETARIS, other))}
    with world.session() as session:
        approved_at = session.get(UnitForm, form_id).approved_at
    line = f"✅ Disetujui oleh Pak Sekretaris · {when(world, approved_at).split(' ')[-1]}"
    for chat, card in ((SEKRETARIS, mine), (OTHER_SEKRETARIS, other)):
        assert shown[chat]["text"] == f"{line}\n\n{card['text']}"  # the outcome first, then the card as it was
        struck = next(e for e in shown[chat]["entities"] if e["type"] == "strikethrough")  # what it asked: past
        assert (struck["offset"], struck["length"]) == (units(line) + 2, units(card["text"].split("\n")[0]))
        assert labels(now_shown(world, chat, card)) == []  # no decision buttons (no evidence: no 📎 either)
    assert sent_to(world, OTHER_SEKRETARIS) == before_other  # an edit, never a new message

    alert = await late_press(world, OTHER_SEKRETARIS, other, APPROVE)
    assert alert == t("error.already_handled", "id", name="Pak Sekretaris", when=when(world, approved_at))
    with world.session() as session:
        assert FormStatus(session.get(UnitForm, form_id).status) is FormStatus.APPROVED
        assert session.exec(select(func.count()).select_from(AuditEntry)
                            .where(AuditEntry.action == "form.approved")).one() == 1
    assert version  # the card's version was the one approved


async def test_a_return_shows_on_both_cards_with_the_indicators_returned(world: World):
    add_member(world, OTHER_SEKRETARIS, "Bu Sekretaris Dua", Role.SEKRETARIS)
    period_id = open_october(world)
    form_id, _ = submitted(world, period_id)
    mine = await card_of(world, SEKRETARIS, PENGADUAN_UNIT, APPROVE)
    other = await card_of(world, OTHER_SEKRETARIS, PENGADUAN_UNIT, APPROVE)
    emu = world.emu

    await emu.user(SEKRETARIS).press(mine, button_data(mine, RETURN))
    await emu.wait_for_bot_message(SEKRETARIS, "Pilih indikator")
    await emu.user(SEKRETARIS).press_button(text="⬜ P.4")
    await emu.wait_for_call("editMessageReplyMarkup", lambda call: str(call.params.get("chat_id")) == "103")
    await emu.user(SEKRETARIS).press_button(text=t("review.write_arahan_button", "id"))
    await emu.wait_for_bot_message(SEKRETARIS, "Tulis arahan untuk P.4")
    await emu.user(SEKRETARIS).send_text("Lengkapi register <pengaduan>")
    await emu.wait_for_bot_message(SEKRETARIS, "dikembalikan dengan arahan Anda")

    for chat, card in ((SEKRETARIS, mine), (OTHER_SEKRETARIS, other)):
        shown = await until_shows(world, chat, card, "Dikembalikan oleh Pak Sekretaris")
        assert shown["text"].startswith("↩️ Dikembalikan oleh Pak Sekretaris · ")
        assert shown["text"].endswith("\n\n" + card["text"])
        assert shown["text"].split("\n")[0].endswith(": P.4")
        assert labels(now_shown(world, chat, card)) == []

    alert = await late_press(world, OTHER_SEKRETARIS, other, APPROVE)
    assert alert.startswith("Sudah ditangani oleh Pak Sekretaris pada ")
    with world.session() as session:
        assert FormStatus(session.get(UnitForm, form_id).status) is FormStatus.RETURNED


@pytest.mark.parametrize(("label", "outcome", "status"), [(GRANT, "🔓 Diizinkan", UnlockStatus.GRANTED),
                                                          (REFUSE, "⛔ Ditolak", UnlockStatus.REFUSED)],
                         ids=["izinkan", "tolak"])
async def test_an_unlock_decision_shows_on_both_cards(world: World, label: str, outcome: str,
                                                      status: UnlockStatus):
    add_member(world, OTHER_SEKRETARIS, "Bu Sekretaris Dua", Role.SEKRETARIS)
    period_id = open_october(world)
    with session_scope(world.engine) as session:
        form = fill_form(session, PENGADUAN, period_id, world.clock.now)
        submit_unit_form(session, member(session, PENGADUAN), form.id, now=world.clock.now)
        approve_unit_form(session, member(session, SEKRETARIS), form.id, form.version, now=world.clock.now)
        p4 = session.exec(select(Indicator).where(Indicator.code == "P.4")).one()
        request_id = request_unlock(session, member(session, PENGADUAN), form.id, p4.id, "Salah ketik",
                                    now=world.clock.now).id
    wake(world)
    mine = await card_of(world, SEKRETARIS, "meminta buka kunci", GRANT)
    other = await card_of(world, OTHER_SEKRETARIS, "meminta buka kunci", GRANT)

    await world.emu.user(OTHER_SEKRETARIS).press(other, button_data(other, label))

    for chat, card in ((OTHER_SEKRETARIS, other), (SEKRETARIS, mine)):
        shown = await until_shows(world, chat, card, f"{outcome} oleh Bu Sekretaris Dua")
        assert shown["text"].endswith("\n\n" + card["text"])
        assert labels(now_shown(world, chat, card)) == []
    with world.session() as session:
        request = session.get(UnlockRequest, request_id)
        assert UnlockStatus(request.status) is status

    alert = await late_press(world, SEKRETARIS, mine, GRANT if label == REFUSE else REFUSE)
    assert alert == t("error.already_handled", "id", name="Bu Sekretaris Dua", when=when(world, request.decided_at))
    with world.session() as session:
        assert UnlockStatus(session.get(UnlockRequest, request_id).status) is status


async def test_the_report_and_the_disposition_show_on_every_copy(world: World):
    """Two Sekretaris get 'Laporkan ke Kepala Dinas', two Kepala Dinas the report: one reports, one agrees; every
    copy shows it, and the other Kepala's 'Setuju' pressed late is an alert."""
    add_member(world, OTHER_SEKRETARIS, "Bu Sekretaris Dua", Role.SEKRETARIS)
    add_member(world, OTHER_KEPALA, "Pak Kepala Dua", Role.KEPALA)
    period_id = open_october(world)
    all_approved(world, period_id)
    ready = {chat: await card_of(world, chat, "sudah disetujui", REPORT) for chat in (SEKRETARIS, OTHER_SEKRETARIS)}

    await world.emu.user(SEKRETARIS).press(ready[SEKRETARIS], button_data(ready[SEKRETARIS], REPORT))
    for chat, card in ready.items():
        await until_shows(world, chat, card, "Dilaporkan ke Kepala Dinas oleh Pak Sekretaris")
        assert labels(now_shown(world, chat, card)) == []

    reports = {chat: await card_of(world, chat, "Rekap capaian", AGREE) for chat in (KEPALA, OTHER_KEPALA)}
    await world.emu.user(KEPALA).press(reports[KEPALA], button_data(reports[KEPALA], AGREE))
    for chat, card in reports.items():
        shown = await until_shows(world, chat, card, "Disetujui Kepala Dinas Ibu Kepala")
        assert shown["text"].startswith("✅ Disetujui Kepala Dinas Ibu Kepala · ")
        assert card["text"] in shown["text"]
        undo = ["↩️ Batalkan"] if chat == KEPALA else []  # hers may be taken back for a few minutes
        assert labels(now_shown(world, chat, card)) == [t("kepala.units_button", "id"), *undo]  # reading stays

    alert = await late_press(world, OTHER_KEPALA, reports[OTHER_KEPALA], AGREE)
    assert alert.startswith("Sudah ditangani oleh Ibu Kepala pada ")
    query = await world.emu.user(OTHER_KEPALA).press(reports[OTHER_KEPALA], pack(Button.KEPALA_AGREE, period_id),
                                                     force=True)
    assert (await alert_of(world.emu, query)).startswith("Sudah ditangani oleh Ibu Kepala")
    with world.session() as session:  # every copy of the two cards recorded and decided
        cards = session.exec(select(SentCard).where(SentCard.member_id != None, SentCard.entity_id == period_id,  # noqa: E711
                                                    SentCard.kind.in_(["report_ready", "kepala_report"]))).all()
        assert len(cards) == 4 and all(card.outcome is not None for card in cards)
    for chat, card in [*ready.items(), *reports.items()]:  # one edit per copy, and it was taken
        edits = [call for call in world.emu.calls_to("editMessageText", chat_id=chat)
                 if int(call.params.get("message_id")) == card["message_id"]]
        assert len(edits) == 1 and edits[0].ok
