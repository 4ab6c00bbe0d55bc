"""The admin's work in chat: inviting people, managing members, opening and closing periods.

Given the demo office with a member in every role, when the admin invites someone with `/undang`, then the link
lets exactly one person join with that role and unit and gives them their role's menu; when the admin changes a
member with `/anggota`, then roles, unit and deactivation (mutasi) take effect at once; when the admin (or the
Tim SAKIP) opens a period with `/periode`, then every unit's members are told the form is open and the deadline
(SOP procedure A, step 6: the form is distributed to the Sekretariat and every Bidang).
"""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.application import build_application, start_application, stop_application
from bot.config import load_settings
from emulator.server import BotApiEmulator
from models.collection.form_filling import form_items
from models.collection.workflow import form_for
from models.messaging.chat_state import get_state
from models.office.audit import Actor, AuditEntry
from models.office.invites import Invite, create_invite, hash_token
from models.office.organisation import Member, Role, Unit
from models.office.permissions import roles_of_member
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from tests.chat.conftest import PEOPLE, TOKEN, World, button_data, until_button
from tests.chat.test_full_cycle import press, say

ADMIN, KEPALA, SEKRETARIS, TIM = 101, 102, 103, 104
SEKRETARIAT, MODAL, KABID_MODAL, PERIZINAN, PENGADUAN = 110, 120, 121, 130, 140
NEWCOMER = 500
LINK = re.compile(r"https://t\.me/sakip_test_bot\?start=([A-Za-z0-9_-]+)")
STAFF_MENU = {"isi", "tugas", "status", "bahasa", "bantuan", "batal"}
ADMIN_ONLY = {"undang", "anggota", "periode"}
STRANGER_HINT = "hanya melayani pegawai yang sudah diundang"
JAKARTA = ZoneInfo("Asia/Jakarta")


# -- helpers -----------------------------------------------------------------------------------------------

def labels(message: dict) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def press_in_place(world: World, user_id: int, label: str) -> dict:
    """Press a button whose message the bot edits in place (a toggle); returns the message as edited."""
    emu = world.emu
    message = await until_button(emu, user_id, label)
    since = emu.mark()
    await emu.user(user_id).press(message, button_data(message, label))
    await emu.wait_for_call("editMessageText", lambda call: str(call.params.get("chat_id")) == str(user_id),
                            since=since)
    return next(m for m in emu.sent_by_bot(user_id) if m["message_id"] == message["message_id"])


async def press_refused(world: World, user_id: int, label: str, refusal: str) -> None:
    """Press a button the bot must refuse; the refusal may come as a new message or as the pressed one edited."""
    emu = world.emu
    message = await until_button(emu, user_id, label)
    await emu.user(user_id).press(message, button_data(message, label))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while loop.time() < deadline:
        if any(refusal in (m.get("text") or "") for m in emu.sent_by_bot(user_id)
               if m["message_id"] >= message["message_id"]):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"no {refusal!r} after pressing {label!r}:\n{emu.dump_recent()}")


def menu_calls(world: World, chat_id: int, since=None) -> list:
    return [call for call in world.emu.calls_to("setMyCommands", since=since)
            if (call.params.get("scope") or {}).get("chat_id") == chat_id]


async def wait_for_menu(world: World, chat_id: int, since) -> set[str]:
    """The command names of the next setMyCommands for the member's private chat."""
    call = await world.emu.wait_for_call(
        "setMyCommands", lambda c: (c.params.get("scope") or {}).get("chat_id") == chat_id, since=since)
    return command_names(call)


def command_names(call) -> set[str]:
    return {command["command"] for command in call.params["commands"]}


def menu_seen_by(world: World, chat_id: int) -> set[str]:
    return {command["command"] for command in world.emu.commands_for(chat_id)}


async def invite_link(world: World, role_label: str, unit_label: str) -> tuple[str, str]:
    """The admin's /undang journey: role, then unit; returns the link and its token."""
    await say(world, ADMIN, "/undang", "Undangan untuk peran apa?")
    await press(world, ADMIN, role_label, f"Unit untuk {role_label}")
    message = await press(world, ADMIN, unit_label, "Undangan sekali pakai")
    match = LINK.search(message["text"])
    assert match, message["text"]
    return match.group(0), match.group(1)


def unit_id(world: World, name: str) -> int:
    with world.session() as session:
        return session.exec(select(Unit).where(Unit.name == name)).one().id


def member_or_none(world: World, telegram_id: int) -> Member | None:
    with world.session() as session:
        return session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).first()


def audit_actions(world: World) -> list[str]:
    with world.session() as session:
        return [entry.action for entry in session.exec(select(AuditEntry).order_by(AuditEntry.id))]


def open_month_in_db(world: World, year: int, month: int) -> Period:
    """A month already opened (no notifications): the setting in which members fill their forms."""
    with world.session() as session:
        period = Period(kind=PeriodKind.MONTH, year=year, number=month, status=PeriodStatus.OPEN)
        session.add(period)
        session.commit()
        return period


# -- joining -----------------------------------------------------------------------------------------------
async def test_an_invited_person_joins_with_the_role_and_unit_of_the_link_and_gets_the_staff_menu(world: World):
    emu = world.emu
    link, token = await invite_link(world, "Staf", "Bidang Pelayanan Perizinan")
    created = emu.last_bot_message(ADMIN)["text"]
    assert created.splitlines()[-1] == link  # on a line of its own, to forward
    assert "Staf" in created and "Bidang Pelayanan Perizinan" in created and "berlaku sampai" in created
    perizinan = unit_id(world, "Bidang Pelayanan Perizinan")
    with world.session() as session:
        invite = session.exec(select(Invite)).all()[-1]
        assert invite.role == Role.STAF and invite.unit_id == perizinan
        assert timedelta(days=6, hours=23) < invite.expires_at - world.clock.now <= timedelta(days=7)
        assert invite.token_hash == hash_token(token) != token  # only the token's hash is stored

    newcomer = emu.user(NEWCOMER, "Yuni", last_name="Perizinan")
    since = emu.mark()
    await newcomer.send_command("/start", token)
    welcome = await emu.wait_for_bot_message(NEWCOMER, "Selamat datang")
    assert "Yuni Perizinan" in welcome["text"]
    assert "Unit: Bidang Pelayanan Perizinan" in welcome["text"] and "Peran: Staf" in welcome["text"]

    member = member_or_none(world, NEWCOMER)
    assert member is not None and member.active and member.unit_id == perizinan
    with world.session() as session:
        assert roles_of_member(session, member) == {Role.STAF}
        assert session.get(Invite, invite.id).used_by_id == member.id

    menu = await wait_for_menu(world, NEWCOMER, since)
    assert menu == STAFF_MENU
    assert menu_seen_by(world, NEWCOMER) == STAFF_MENU
    assert not menu_seen_by(world, NEWCOMER) & ADMIN_ONLY

    # From now on the newcomer is a member: /isi answers about their unit's form, not with the invitation hint.
    reply = await say(world, NEWCOMER, "/isi")
    assert "Belum ada periode yang dibuka" in reply["text"]


async def test_a_used_link_does_not_let_a_second_person_join(world: World):
    emu = world.emu
    _, token = await invite_link(world, "Kepala Bidang", "Bidang Penanaman Modal")
    await emu.user(NEWCOMER, "Yuni").send_command("/start", token)
    await emu.wait_for_bot_message(NEWCOMER, "Selamat datang")

    since = emu.mark()
    await emu.user(501, "Orang Lain").send_command("/start", token)
    reply = await emu.wait_for_bot_message(501)
    assert "sudah dipakai" in reply["text"]
    assert member_or_none(world, 501) is None
    assert menu_calls(world, 501, since) == []

    # The person who used it, opening it again, is simply welcomed back.
    await emu.user(NEWCOMER).send_command("/start", token)
    again = await emu.wait_for_bot_message(NEWCOMER, "Selamat datang")
    assert again["text"].startswith("Anda sudah terdaftar")


@pytest.mark.parametrize(("kind", "answer"), [("expired", "kedaluwarsa"), ("garbage", "tidak dikenal")])
async def test_an_expired_or_unknown_link_is_refused_with_the_reason(world: World, kind: str, answer: str):
    if kind == "expired":
        with world.session() as session:
            unit = session.exec(select(Unit).where(Unit.name == "Sekretariat")).one()
            _, token = create_invite(session, Role.STAF, unit, Actor.cli(), now=world.clock.now - timedelta(days=8),
                                     valid_days=7)
            session.commit()
    else:
        token = "bukan-token-yang-benar"
    since = world.emu.mark()
    await world.emu.user(NEWCOMER, "Yuni").send_command("/start", token)
    reply = await world.emu.wait_for_bot_message(NEWCOMER)
    assert answer in reply["text"]
    assert member_or_none(world, NEWCOMER) is None
    assert menu_calls(world, NEWCOMER, since) == []


async def test_a_stranger_gets_only_the_invitation_hint_whatever_they_write(world: World):
    emu = world.emu
    stranger = emu.user(600, "Orang Asing")
    since = emu.mark()
    for text in ("Selamat pagi", "/isi", "/undang", "/anggota"):
        await stranger.send_text(text)
        reply = await emu.wait_for_bot_message(600)
        assert STRANGER_HINT in reply["text"], text
        assert not labels(reply)
    await emu.user(NEWCOMER).send_command("/start")  # a later update: everything before it was handled
    await emu.wait_for_bot_message(NEWCOMER)
    assert len(emu.sent_by_bot(600)) == 4
    assert member_or_none(world, 600) is None
    assert menu_calls(world, 600, since) == []


@pytest.fixture
async def world_with_configured_admin(office_engine, tmp_path, monkeypatch):
    """Like `world`, but ADMIN_TELEGRAM_IDS=777 is set before the bot starts."""
    async with BotApiEmulator() as emu:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", emu.base_url)
        monkeypatch.setenv("EVIDENCE_DIR", str(tmp_path / "evidence"))
        monkeypatch.setenv("ADMIN_TELEGRAM_IDS", "777")
        monkeypatch.chdir(tmp_path)
        application = build_application(load_settings(), office_engine, rate_limiter=False)
        await start_application(application, timeout=1)
        try:
            yield World(emu, office_engine, application)
        finally:
            await stop_application(application)


async def test_a_person_listed_in_admin_telegram_ids_becomes_admin_on_start(world_with_configured_admin: World):
    world = world_with_configured_admin
    emu = world.emu
    since = emu.mark()
    await emu.user(777, "Kepala IT").send_command("/start")
    welcome = await emu.wait_for_bot_message(777, "Selamat datang")
    assert "Peran: Admin" in welcome["text"] and "Unit: Dinas" in welcome["text"]
    member = member_or_none(world, 777)
    with world.session() as session:
        assert roles_of_member(session, member) == {Role.ADMIN}
    menu = await wait_for_menu(world, 777, since)
    assert menu >= ADMIN_ONLY
    await say(world, 777, "/undang", "Undangan untuk peran apa?")

    # Someone not listed stays a stranger.
    await emu.user(778, "Bukan Admin").send_command("/start")
    assert STRANGER_HINT in (await emu.wait_for_bot_message(778))["text"]
    assert member_or_none(world, 778) is None


# -- members -----------------------------------------------------------------------------------------------
async def test_members_are_listed_by_unit_with_their_roles(world: World):
    reply = await say(world, ADMIN, "/anggota", "Anggota per unit")
    blocks = {}
    for block in reply["text"].split("\n\n")[1:]:
        unit, *lines = block.split("\n")
        blocks[unit] = lines
    role_label = {Role.ADMIN: "Admin", Role.KEPALA: "Kepala Dinas", Role.SEKRETARIS: "Sekretaris",
                  Role.TIM_SAKIP: "Tim SAKIP", Role.KABID: "Kepala Bidang", Role.STAF: "Staf"}
    expected: dict[str, list[str]] = {}
    for name, role, unit in sorted(PEOPLE.values()):
        expected.setdefault(unit or "Dinas", []).append(f"• {name} — {role_label[role]}")
    assert blocks == expected
    assert f"⚙️ {PEOPLE[PERIZINAN][0]}" in labels(reply)


async def test_a_role_given_and_taken_by_the_admin_changes_the_members_menu(world: World):
    emu = world.emu
    await say(world, ADMIN, "/anggota", "Anggota per unit")
    detail = await press(world, ADMIN, "⚙️ Rina Perizinan", "Rina Perizinan")
    assert "Peran: Staf" in detail["text"] and "Status: aktif" in detail["text"]

    since = emu.mark()
    edited = await press_in_place(world, ADMIN, "⬜ Kepala Bidang")
    assert "Peran: Kepala Bidang, Staf" in edited["text"]
    assert "☑️ Kepala Bidang" in labels(edited)
    rina = world.member(PERIZINAN)
    with world.session() as session:
        assert roles_of_member(session, rina) == {Role.KABID, Role.STAF}
    menu = await wait_for_menu(world, PERIZINAN, since)
    assert "rekap" in menu  # a Kepala Bidang may see the recap
    assert "rekap" in menu_seen_by(world, PERIZINAN)

    since = emu.mark()
    edited = await press_in_place(world, ADMIN, "☑️ Kepala Bidang")
    assert "Peran: Staf" in edited["text"]
    menu = await wait_for_menu(world, PERIZINAN, since)
    assert menu == STAFF_MENU
    assert audit_actions(world).count("member.roles") == 2
    # Back to staf: the recap is refused again.
    reply = await say(world, PERIZINAN, "/rekap")
    assert "tidak berwenang" in reply["text"]


async def test_a_moved_member_leaves_their_unfinished_items_with_the_old_unit(world: World):
    emu = world.emu
    period = open_month_in_db(world, 2026, 10)
    await say(world, PERIZINAN, "/isi", "P.1")
    await say(world, PERIZINAN, "100", "bukti dukung")  # P.1 entered; the form is still a draft

    await say(world, ADMIN, "/anggota", "Anggota per unit")
    await press(world, ADMIN, "⚙️ Rina Perizinan", "Rina Perizinan")
    await press(world, ADMIN, "Pindah unit", "Pindah ke unit")
    moved = await press(world, ADMIN, "Bidang Penanaman Modal", "Rina Perizinan")
    assert "Unit: Bidang Penanaman Modal" in moved["text"]

    perizinan, modal = unit_id(world, "Bidang Pelayanan Perizinan"), unit_id(world, "Bidang Penanaman Modal")
    rina = world.member(PERIZINAN)
    assert rina.unit_id == modal
    with world.session() as session:
        old = {item.indicator.code: item for item in form_items(session, form_for(session, perizinan, period.id))}
        new = {item.indicator.code for item in form_items(session, form_for(session, modal, period.id))}
        assert old["P.1"].current is not None and old["P.1"].current.value == 100
        assert old["P.1"].entered_by == "Rina Perizinan"
        assert "P.1" not in new
        assert get_state(session, rina.id) == (None, {})  # the half-answered P.1 evidence question is gone
    assert "member.move" in audit_actions(world)

    # The moved member now fills the new unit's form; the old unit's form waits for its own people.
    since = emu.mark()
    await emu.user(PERIZINAN).send_text("/isi")
    question = await emu.wait_for_bot_message(PERIZINAN, "Ketik nilai realisasi", since=since)
    assert "S.1" in question["text"] and "P.2" not in question["text"]


async def test_a_deactivated_member_is_treated_as_a_stranger(world: World):
    emu = world.emu
    await say(world, ADMIN, "/anggota", "Anggota per unit")
    await press(world, ADMIN, "⚙️ Agus Pengaduan", "Agus Pengaduan")
    since = emu.mark()
    edited = await press_in_place(world, ADMIN, "Nonaktifkan (mutasi)")
    assert "Status: (nonaktif)" in edited["text"] and "Aktifkan kembali" in labels(edited)
    assert not world.member(PENGADUAN).active
    assert "member.active" in audit_actions(world)
    await emu.wait_for_call("deleteMyCommands", lambda c: (c.params.get("scope") or {}).get("chat_id")
                            == PENGADUAN, since=since)
    assert menu_seen_by(world, PENGADUAN) == {"start", "bantuan"}  # the stranger's menu

    for text in ("/isi", "/start", "/status"):
        reply = await say(world, PENGADUAN, text)
        assert STRANGER_HINT in reply["text"], text
    listing = await say(world, ADMIN, "/anggota", "Anggota per unit")
    assert "• Agus Pengaduan — Staf (nonaktif)" in listing["text"]


async def test_the_last_admin_cannot_take_away_their_own_admin_role(world: World):
    await say(world, ADMIN, "/anggota", "Anggota per unit")
    await press(world, ADMIN, "⚙️ Budi Admin", "Budi Admin")
    edited = await press_in_place(world, ADMIN, "⬜ Tim SAKIP")  # two roles, so the role itself may go
    assert "Peran: Admin, Tim SAKIP" in edited["text"]
    await press_refused(world, ADMIN, "☑️ Admin", "Ini admin terakhir")
    admin = world.member(ADMIN)
    with world.session() as session:
        assert roles_of_member(session, admin) == {Role.ADMIN, Role.TIM_SAKIP}


async def test_an_admin_cannot_deactivate_themselves(world: World):
    await say(world, ADMIN, "/anggota", "Anggota per unit")
    await press(world, ADMIN, "⚙️ Budi Admin", "Budi Admin")
    await press_refused(world, ADMIN, "Nonaktifkan (mutasi)", "Anda tidak dapat menonaktifkan diri sendiri.")
    assert world.member(ADMIN).active
    reply = await say(world, ADMIN, "/anggota", "Anggota per unit")  # still an admin
    assert "(nonaktif)" not in reply["text"]


async def test_staff_may_not_invite_or_manage_members(world: World):
    for command in ("/undang", "/anggota"):
        reply = await say(world, PERIZINAN, command)
        assert "tidak berwenang" in reply["text"], command
    assert audit_actions(world).count("permission.refused") == 2


# -- periods -----------------------------------------------------------------------------------------------
async def test_admin_opens_the_due_month_and_triwulan_and_every_unit_is_told_the_deadline(world: World):
    """On Sunday 22 November 2026 the due periods are October 2026 (due Tuesday 10 November) and Triwulan III
    (due on the 10th of October, a Saturday, so on Monday the 12th), and the admin and every unit member are told
    why; each opens after its confirmation."""
    emu = world.emu
    today = world.clock.now.astimezone(JAKARTA).date()  # the bot's clock
    assert (today.year, today.month) == (2026, 11)
    month = PeriodRef(PeriodKind.MONTH, 2026, 10)
    quarter = PeriodRef(PeriodKind.QUARTER, 2026, 3)
    unit_members = (SEKRETARIS, TIM, SEKRETARIAT, MODAL, KABID_MODAL, PERIZINAN, PENGADUAN)
    due = {month: date(2026, 11, 10), quarter: date(2026, 10, 12)}
    shown = {month: "10 November 2026",
             quarter: "12 Oktober 2026 (digeser dari 10 Oktober 2026, hari libur: akhir pekan)"}

    for ref in (month, quarter):
        label, deadline = ref.label("id"), shown[ref]
        await say(world, ADMIN, "/periode", "Periode")
        await press(world, ADMIN, f"Buka {label}", "anggota akan diberi tahu")
        opened = await press(world, ADMIN, "Ya, buka", "dibuka")
        assert f"{label} dibuka, batas waktu {deadline}" in opened["text"]
        for user_id in unit_members:
            notice = await emu.wait_for_bot_message(user_id, f"Formulir {label} dibuka")
            assert f"Batas waktu: {deadline}" in notice["text"]
            assert "Isi sekarang" in labels(notice)

    with world.session() as session:
        periods = {p.ref: p for p in session.exec(select(Period))}
        assert {periods[month].status, periods[quarter].status} == {PeriodStatus.OPEN}
        assert periods[month].deadline == due[month]
        assert periods[quarter].deadline == due[quarter]
    # The office itself has no indicators: the admin and the Kepala Dinas get no form.
    for user_id in (ADMIN, KEPALA):
        assert not [m for m in emu.sent_by_bot(user_id) if "Formulir" in (m.get("text") or "")]
    assert audit_actions(world).count("period.open") == 2


async def test_the_tim_sakip_closes_an_open_period(world: World):
    open_month_in_db(world, 2026, 10)
    listing = await say(world, TIM, "/periode", "Periode")
    assert "Oktober 2026: dibuka" in listing["text"]
    closed = await press(world, TIM, "Tutup Oktober 2026", "ditutup")
    assert "Oktober 2026 ditutup" in closed["text"]
    with world.session() as session:
        assert session.exec(select(Period)).one().status == PeriodStatus.CLOSED
    assert "period.closed" in audit_actions(world)
    reply = await say(world, PERIZINAN, "/isi")
    assert "Belum ada periode yang dibuka" in reply["text"]


async def test_staff_may_not_open_or_close_periods(world: World):
    open_month_in_db(world, 2026, 10)
    reply = await say(world, PERIZINAN, "/periode")
    assert "tidak berwenang" in reply["text"] and not labels(reply)
    with world.session() as session:
        assert session.exec(select(Period)).one().status == PeriodStatus.OPEN
