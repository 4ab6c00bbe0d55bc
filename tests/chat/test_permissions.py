"""Who may do what: every role against every action, in the domain and through the chat.

Given the SOP's roles (Kepala Dinas, Sekretaris, Tim SAKIP, Kabid, staf, and the admin who runs the bot), when
anyone acts, then only the role the SOP gives the step to may take it, staff and heads act on their own unit's
form only, a refused attempt is answered with the forbidden text and leaves a `permission.refused` audit row,
and a button whose item was already handled says who handled it and when.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from handlers.callbacks import Button, pack
from i18n import t
from models.calc.clock import system_clock
from models.calc.dates import format_datetime
from models.collection.form_filling import form_items, keep_value, record_note, record_value
from models.collection.forms import Disposition, FormStatus, PeriodReport, Review, UnitForm, UnlockRequest, UnlockStatus
from models.collection.opening import open_period
from models.collection.realisasi import Realisasi
from models.collection.review import approve_unit_form, form_mark, request_unlock, submit_unit_form
from models.collection.workflow import form_for
from models.errors import WorkflowError
from models.messaging.chat_state import get_state, question_of
from models.messaging.outbox import OutboxMessage
from models.office.audit import Actor, AuditEntry
from models.office.invites import Invite, accept_invite, create_invite
from models.office.members import set_active
from models.office.organisation import Member, MemberRole, Role, Unit
from models.office.permissions import Action, may
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodStatus
from models.store.database import session_scope
from tests.chat.conftest import World, button_data, has_button, month
from tests.test_callbacks import packed_in_handlers

A, K, S, T, B, F = Role.ADMIN, Role.KEPALA, Role.SEKRETARIS, Role.TIM_SAKIP, Role.KABID, Role.STAF

# What the SOP gives each role (✓ may, · may not), written out rather than read from models.office.permissions:
# step 7 units fill and send their form (their heads, Kabid and Sekretaris, with staff; the Tim SAKIP sits in
# the Sekretariat), and a Bidang's head approves or returns his own unit's form before the Sekretaris when the
# office asks for it (KABID_REVIEW); step 10 only the Sekretaris approves or returns; step 11 the Sekretaris
# reports to the Kepala Dinas, whose disposition it is; steps 5–6 the Tim SAKIP (and the admin running the bot)
# prepares and opens the forms; the admin alone invites and manages members; everyone sees where the collection stands.
EXPECTED = {  # action: (admin, kepala, sekretaris, tim_sakip, kabid, staf)
    Action.FILL_FORM: "· · ✓ ✓ ✓ ✓",
    Action.SUBMIT_FORM: "· · ✓ ✓ ✓ ✓",
    Action.REQUEST_UNLOCK: "· · ✓ ✓ ✓ ✓",
    Action.REVIEW_FORM: "· · ✓ · · ·",
    Action.KABID_REVIEW: "· · · · ✓ ·",
    Action.GRANT_UNLOCK: "· · ✓ · · ·",
    Action.REPORT_TO_KEPALA: "· · ✓ · · ·",
    Action.DISPOSE: "· ✓ · · · ·",
    Action.MANAGE_PERIODS: "✓ · · ✓ · ·",
    Action.INVITE: "✓ · · · · ·",
    Action.MANAGE_MEMBERS: "✓ · · · · ·",
    Action.VIEW_STATUS: "✓ ✓ ✓ ✓ ✓ ✓",
    Action.VIEW_RECAP: "✓ ✓ ✓ ✓ ✓ ·",
    Action.EXPORT: "✓ ✓ ✓ ✓ · ·",
    Action.PREPARE_MEASUREMENT: "· · ✓ ✓ · ·",
    Action.REVIEW_MEASUREMENT: "· · ✓ · · ·",
}
COLUMNS = (A, K, S, T, B, F)
UNIT_BOUND = {Action.FILL_FORM, Action.SUBMIT_FORM, Action.REQUEST_UNLOCK, Action.KABID_REVIEW}
OWN_UNIT, OTHER_UNIT = 7, 8


def expected(role: Role, action: Action) -> bool:
    return EXPECTED[action].split()[COLUMNS.index(role)] == "✓"


# -- the domain: may() ----------------------------------------------------------------------------------------
def test_the_table_decides_every_role_and_every_action():
    assert set(EXPECTED) == set(Action)
    assert set(COLUMNS) == set(Role)
    assert all(len(row.split()) == len(COLUMNS) and set(row.split()) <= {"✓", "·"} for row in EXPECTED.values())


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_may_answers_as_the_sop_says(role: Role, action: Action):
    """Given a member with one role, when they attempt an action (on their own unit's form when unit-bound),
    then may() answers as the table says."""
    assert may({role}, action, own_unit_id=OWN_UNIT, target_unit_id=OWN_UNIT) is expected(role, action)


@pytest.mark.parametrize("action", sorted(UNIT_BOUND))
@pytest.mark.parametrize("role", list(Role))
def test_unit_bound_actions_are_refused_on_another_units_form(role: Role, action: Action):
    assert may({role}, action, own_unit_id=OWN_UNIT, target_unit_id=OTHER_UNIT) is False
    assert may({role}, action, own_unit_id=OWN_UNIT, target_unit_id=None) is False
    assert may({role}, action, own_unit_id=None, target_unit_id=OWN_UNIT) is False


@pytest.mark.parametrize("action", sorted(set(Action) - UNIT_BOUND))
@pytest.mark.parametrize("role", list(Role))
def test_other_actions_do_not_depend_on_the_unit(role: Role, action: Action):
    assert may({role}, action, own_unit_id=OWN_UNIT, target_unit_id=OTHER_UNIT) is expected(role, action)
    assert may({role}, action) is expected(role, action)


@pytest.mark.parametrize("roles", [{A, T}, {S, K}, {B, F}, {A, F}])
@pytest.mark.parametrize("action", list(Action))
def test_a_member_with_several_roles_may_what_any_of_them_may(roles: set[Role], action: Action):
    assert may(roles, action, own_unit_id=OWN_UNIT, target_unit_id=OWN_UNIT) is any(
        expected(role, action) for role in roles)


def test_no_role_may_nothing():
    assert not any(may(set(), action, own_unit_id=OWN_UNIT, target_unit_id=OWN_UNIT) for action in Action)


# -- the chat --------------------------------------------------------------------------------------------------
ADMIN, KEPALA, SEKRETARIS, TIM, SEKRETARIAT, MODAL, KABID_MODAL, PERIZINAN, PENGADUAN = (
    101, 102, 103, 104, 110, 120, 121, 130, 140)
STAFF_OF_UNIT = {"Sekretariat": SEKRETARIAT, "Bidang Penanaman Modal": MODAL,
                 "Bidang Pelayanan Perizinan": PERIZINAN,
                 "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan": PENGADUAN}
PENGADUAN_UNIT = "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan"
OCTOBER = month(2026, 10)
FORBIDDEN = t("error.forbidden", "id")
STRANGER = t("chat.stranger", "id")
APPROVE, RETURN = t("review.approve_button", "id"), t("review.return_button", "id")


def member(session: Session, telegram_id: int) -> Member:
    return session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()


def open_october(world: World) -> int:
    with session_scope(world.engine) as session:
        return open_period(session, member(session, ADMIN), OCTOBER, None, now=world.clock.now).id


def fill_form(session: Session, telegram_id: int, period_id: int, now: datetime) -> UnitForm:
    """The unit's form complete at `now`: every value 100, kendala and tindak lanjut where below target."""
    staff, period = member(session, telegram_id), session.get(Period, period_id)
    form = form_for(session, staff.unit_id, period.id)
    for item in form_items(session, form):
        record_value(session, staff, item.indicator, period, Decimal(100), now=now)
    for item in form_items(session, form):
        if item.needs_kendala:
            record_note(session, staff, item.indicator, period, "kendala", "Data OSS terlambat", now=now)
        if item.needs_tindak_lanjut:
            record_note(session, staff, item.indicator, period, "tindak_lanjut", "Koordinasi ulang", now=now)
    return form


def submitted(world: World, period_id: int, telegram_id: int = PENGADUAN) -> tuple[int, int]:
    """(form id, version) of the unit's form, filled and sent to the Sekretaris."""
    with session_scope(world.engine) as session:
        form = fill_form(session, telegram_id, period_id, world.clock.now)
        submit_unit_form(session, member(session, telegram_id), form.id, now=world.clock.now)
        ids = form.id, form.version
    wake(world)
    return ids


def all_approved(world: World, period_id: int) -> None:
    with session_scope(world.engine) as session:
        sekretaris = member(session, SEKRETARIS)
        for telegram_id in STAFF_OF_UNIT.values():
            form = fill_form(session, telegram_id, period_id, world.clock.now)
            submit_unit_form(session, member(session, telegram_id), form.id, now=world.clock.now)
            approve_unit_form(session, sekretaris, form.id, form.version, now=world.clock.now)
    wake(world)


def wake(world: World) -> None:
    """Notifications queued outside a chat update go out now (as after any handled update)."""
    world.application.bot_data.wake()


def form_state(world: World, form_id: int) -> tuple[FormStatus, int, int]:
    with world.session() as session:
        form = session.get(UnitForm, form_id)
        reviews = session.exec(select(func.count()).select_from(Review).where(Review.form_id == form_id)).one()
        return FormStatus(form.status), form.version, reviews


def refusals(world: World, telegram_id: int) -> list[dict]:
    with world.session() as session:
        actor = member(session, telegram_id)
        rows = session.exec(select(AuditEntry).where(AuditEntry.action == "permission.refused",
                                                     AuditEntry.actor_member_id == actor.id)
                            .order_by(AuditEntry.id)).all()
        return [{"entity": row.entity, "entity_id": row.entity_id, **json.loads(row.after or "{}")} for row in rows]


def audit_count(world: World, action: str) -> int:
    with world.session() as session:
        return session.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)).one()


async def own_message(world: World, user_id: int, expect: str = "Perintah untuk Anda") -> dict:
    """A bot message in the user's own chat, to press data on (the way a forwarded or stale button arrives)."""
    await world.emu.user(user_id).send_command("/bantuan")
    return await world.emu.wait_for_bot_message(user_id, expect)


async def press_data(world: World, user_id: int, data: str, expect: str, message: dict | None = None) -> dict:
    """The user's client sends `data` from a message in their own chat; returns the bot's answer."""
    message = message or await own_message(world, user_id)
    await world.emu.user(user_id).press(message, data, force=True)
    return await world.emu.wait_for_bot_message(user_id, expect)


async def review_message(world: World, user_id: int, unit: str) -> dict:
    return await world.emu.wait_for_bot_message(
        user_id, lambda m: unit in (m.get("text") or "") and has_button(m, APPROVE))



def no_failed_calls(world: World) -> list:
    return [call for call in world.emu.calls if not call.ok and call.method != "getUpdates"]


@pytest.mark.parametrize(("presser", "label"), [
    (PENGADUAN, APPROVE), (PENGADUAN, RETURN),  # staff of the unit whose form it is
    (MODAL, APPROVE),                           # staff of another unit
    (KABID_MODAL, APPROVE), (KABID_MODAL, RETURN),
    (TIM, APPROVE), (ADMIN, APPROVE),
    (KEPALA, APPROVE), (KEPALA, RETURN),
], ids=["staf-own-unit-setujui", "staf-own-unit-kembalikan", "staf-other-unit-setujui", "kabid-setujui",
        "kabid-kembalikan", "tim-setujui", "admin-setujui", "kepala-setujui", "kepala-kembalikan"])
async def test_only_the_sekretaris_approves_or_returns_a_form(world: World, presser: int, label: str):
    """Given Pengaduan's submitted form and the Sekretaris's review message, when someone else presses its
    Setujui or Kembalikan (the button forwarded to their own chat), then they are refused with the forbidden
    text, the refusal is audited, the form stays submitted, and the Sekretaris can still decide."""
    period_id = open_october(world)
    form_id, version = submitted(world, period_id)
    review = await review_message(world, SEKRETARIS, PENGADUAN_UNIT)
    data = button_data(review, label)
    assert data == pack(Button.REVIEW_APPROVE if label == APPROVE else Button.REVIEW_RETURN, form_id, version)

    answer = await press_data(world, presser, data, FORBIDDEN)

    assert answer["text"] == FORBIDDEN
    assert refusals(world, presser) == [{"entity": "unit_form", "entity_id": form_id,
                                         "action": Action.REVIEW_FORM.value, "unit_id": None}]
    assert form_state(world, form_id) == (FormStatus.SUBMITTED, version, 0)
    assert not any(m.get("text", "").startswith(t("review.choose_items", "id"))  # no return begun for them
                   for m in world.emu.sent_by_bot(presser))
    with world.session() as session:
        assert session.exec(select(func.count()).select_from(OutboxMessage)
                            .where(OutboxMessage.kind.in_(["form_approved", "form_returned"]))).one() == 0

    await world.emu.user(SEKRETARIS).press(review, button_data(review, APPROVE))
    await world.emu.wait_for_bot_message(SEKRETARIS, "disetujui dan dikunci")
    assert form_state(world, form_id) == (FormStatus.APPROVED, version + 1, 1)
    assert no_failed_calls(world) == []


async def test_only_the_sekretaris_reports_and_only_the_kepala_disposes(world: World):
    """Given every unit's form approved, when a staff member presses 'Laporkan ke Kepala Dinas' and, once
    reported, the Sekretaris presses the Kepala's 'Setuju' and 'Beri arahan', then each is refused and audited,
    nothing is reported or disposed by them, and the Kepala Dinas can still dispose."""
    period_id = open_october(world)
    all_approved(world, period_id)
    ready = await world.emu.wait_for_bot_message(SEKRETARIS, lambda m: has_button(m, t("notify.report_button", "id")))

    await press_data(world, PENGADUAN, pack(Button.REPORT, period_id), FORBIDDEN)
    assert refusals(world, PENGADUAN) == [{"entity": "period", "entity_id": period_id,
                                           "action": Action.REPORT_TO_KEPALA.value, "unit_id": None}]
    with world.session() as session:
        assert session.exec(select(PeriodReport)).all() == []

    await world.emu.user(SEKRETARIS).press(ready, pack(Button.REPORT, period_id))
    report = await world.emu.wait_for_bot_message(KEPALA, lambda m: has_button(m, t("notify.agree_button", "id")))
    for data in (pack(Button.KEPALA_AGREE, period_id), pack(Button.KEPALA_ARAHAN, period_id)):
        await press_data(world, SEKRETARIS, data, FORBIDDEN)
    assert [r["action"] for r in refusals(world, SEKRETARIS)] == [Action.DISPOSE.value] * 2
    with world.session() as session:
        assert session.exec(select(Disposition)).all() == []
        assert PeriodStatus(session.get(Period, period_id).status) is PeriodStatus.OPEN
        assert get_state(session, member(session, SEKRETARIS).id)[0] != "kepala.arahan"

    await world.emu.user(KEPALA).press(report, pack(Button.KEPALA_AGREE, period_id))
    await world.emu.wait_for_bot_message(KEPALA, "diarsipkan")
    world.clock.now += timedelta(minutes=11)  # archived once "Setuju" can no longer be undone
    await world.run_scheduled_work()
    with world.session() as session:
        assert PeriodStatus(session.get(Period, period_id).status) is PeriodStatus.ARCHIVED
    assert no_failed_calls(world) == []


async def test_staff_cannot_send_another_units_form(world: World):
    """Given Pengaduan's form complete but not sent, when staff of Pelayanan Perizinan press its 'Ya, kirim'
    (isi.kirimok with its form id and the form's mark as shown), then they are refused, audited, and the form
    stays a draft."""
    period_id = open_october(world)
    with session_scope(world.engine) as session:
        form = fill_form(session, PENGADUAN, period_id, world.clock.now)
        form_id, version, unit_id = form.id, form.version, form.unit_id
        mark = form_mark(session, form)

    await press_data(world, PERIZINAN, pack(Button.FILL_SEND_CONFIRM, form_id, mark), FORBIDDEN)

    assert refusals(world, PERIZINAN) == [{"entity": "unit_form", "entity_id": form_id,
                                           "action": Action.SUBMIT_FORM.value, "unit_id": unit_id}]
    assert form_state(world, form_id) == (FormStatus.DRAFT, version, 0)
    with world.session() as session:
        assert session.exec(select(OutboxMessage).where(OutboxMessage.kind == "review_request")).all() == []


async def test_staff_never_see_or_change_another_units_values(world: World):
    """Given Pengaduan's values entered (P.4 = 100), when staff of Pelayanan Perizinan press 'edit P.4' of
    Pengaduan's summary and type a value, keep P.4's value or ask to unlock Pengaduan's form, then /isi only
    ever shows their own unit's indicators, the value goes to their own P.1, and Pengaduan's values stay."""
    period_id = open_october(world)
    with session_scope(world.engine) as session:
        form = fill_form(session, PENGADUAN, period_id, world.clock.now)
        form_id = form.id
        p4 = session.exec(select(Indicator).where(Indicator.code == "P.4")).one().id
        p1 = session.exec(select(Indicator).where(Indicator.code == "P.1")).one().id
    emu = world.emu

    question = await press_data(world, PERIZINAN, pack(Button.FILL_EDIT, period_id, p4), "Ketik nilai realisasi")
    assert "P.1" in question["text"] and "P.4" not in question["text"]
    await emu.user(PERIZINAN).send_text("77")
    await emu.wait_for_bot_message(PERIZINAN, "Tersimpan")
    for button in (Button.FILL_KEEP, Button.FILL_KEEP_KENDALA, Button.FILL_KEEP_TINDAK_LANJUT):
        message = await own_message(world, PERIZINAN)
        await emu.wait_for_bot_message(PERIZINAN, "Masih menunggu jawaban")  # P.1's evidence, asked again
        with world.session() as session:
            asked = question_of(session, member(session, PERIZINAN).id).number  # the current question
        await press_data(world, PERIZINAN, pack(button, asked, p4), t("common.expired_button", "id"), message)
    await press_data(world, PERIZINAN, pack(Button.UNLOCK_REQUEST, form_id, p4), FORBIDDEN)
    await emu.user(PERIZINAN).send_command("/isi")
    await emu.wait_for_bot_message(PERIZINAN, "P.1")

    shown = "\n".join(m.get("text", "") for m in emu.sent_by_bot(PERIZINAN))
    assert "P.4" not in shown and "P.5" not in shown and "Pengaduan" not in shown
    with world.session() as session:
        p4_rows = session.exec(select(Realisasi).where(Realisasi.indicator_id == p4)).all()
        assert [(row.value, row.entered_by_id) for row in p4_rows] == [
            (Decimal(100), member(session, PENGADUAN).id)]
        assert [row.value for row in session.exec(select(Realisasi).where(Realisasi.indicator_id == p1))] == [
            Decimal(77)]
        assert session.exec(select(func.count()).select_from(UnitForm).where(UnitForm.id == form_id)).one() == 1
        assert FormStatus(session.get(UnitForm, form_id).status) is FormStatus.DRAFT
    assert [r["action"] for r in refusals(world, PERIZINAN)] == [Action.REQUEST_UNLOCK.value]


@pytest.mark.parametrize(("command", "action"), [
    ("/undang", Action.INVITE), ("/invite", Action.INVITE),
    ("/anggota", Action.MANAGE_MEMBERS), ("/members", Action.MANAGE_MEMBERS),
    ("/periode", Action.MANAGE_PERIODS), ("/period", Action.MANAGE_PERIODS),
])
async def test_admin_commands_typed_by_staff_are_refused(world: World, command: str, action: Action):
    await world.emu.user(MODAL).send_command(command)
    answer = await world.emu.wait_for_bot_message(MODAL)
    assert answer["text"] == FORBIDDEN
    assert [r["action"] for r in refusals(world, MODAL)] == [action.value]


async def test_admin_buttons_pressed_by_staff_change_nothing(world: World):
    """Given an open period and the Perizinan staff member, when staff of Penanaman Modal press the admin's
    buttons (open or close a period, create an invitation, change a member's role, unit or activity), then
    every press is refused and audited, and no period, invitation or member changes."""
    period_id = open_october(world)
    with world.session() as session:
        target = member(session, PERIZINAN)
        office = session.exec(select(Unit).where(Unit.parent_id == None)).one()  # noqa: E711
    emu = world.emu
    before = snapshot(world)

    presses = [pack(Button.PERIOD_OPEN, 2026, 0, 11), pack(Button.PERIOD_CLOSE, period_id),
        pack(Button.PERIOD_OPEN_CONFIRM, 2026, 0, 11), pack(Button.PERIOD_OPEN_CANCEL, 2026, 0, 11),
               pack(Button.INVITE_ROLE, 0), pack(Button.INVITE_UNIT, 0, office.id), pack(Button.MEMBER, target.id),
               pack(Button.MEMBER_UNITS, target.id), pack(Button.MEMBER_MOVE, target.id, office.id)]
    for data in presses:
        await press_data(world, MODAL, data, FORBIDDEN)
    # allowed, these edit the message in place
    for data in (pack(Button.MEMBER_ROLE, target.id, 0), pack(Button.MEMBER_ACTIVE, target.id)):
        await press_data(world, MODAL, data, FORBIDDEN)
    assert emu.calls_to("editMessageText") == []  # a refusal is a new message, the pressed one stays as it was
    assert [c for c in emu.calls_to("setMyCommands") if c.params.get("scope", {}).get("chat_id") == PERIZINAN] == []

    assert len(refusals(world, MODAL)) == len(presses) + 2
    after = snapshot(world)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {k: v for k, v in before.items()
                                                                   if k != "audit_log"}
    with world.session() as session:
        assert session.exec(select(Invite).where(Invite.created_by_id == member(session, MODAL).id)).all() == []
        assert set(session.exec(select(MemberRole.role).where(MemberRole.member_id == target.id))) == {Role.STAF}
        assert session.get(Member, target.id).active and session.get(Member, target.id).unit_id == target.unit_id


async def test_a_deactivated_member_is_treated_like_a_stranger(world: World):
    """Given the Sekretaris's review message, when the admin deactivates the Sekretaris (mutasi) and they then
    press Setujui, type /isi or /start, then each time they get the invitation hint and nothing changes."""
    period_id = open_october(world)
    form_id, version = submitted(world, period_id)
    review = await review_message(world, SEKRETARIS, PENGADUAN_UNIT)
    with session_scope(world.engine) as session:
        set_active(session, member(session, ADMIN), member(session, SEKRETARIS).id, False, now=world.clock.now)
    before = snapshot(world)
    emu = world.emu

    await emu.user(SEKRETARIS).press(review, button_data(review, APPROVE))
    assert (await emu.wait_for_bot_message(SEKRETARIS, STRANGER))["text"] == STRANGER
    for command in ("/isi", "/status", "/start"):
        await emu.user(SEKRETARIS).send_command(command)
        assert (await emu.wait_for_bot_message(SEKRETARIS))["text"] == STRANGER
    await emu.user(SEKRETARIS).send_text("Setuju")
    assert (await emu.wait_for_bot_message(SEKRETARIS))["text"] == STRANGER

    assert snapshot(world) == before
    assert form_state(world, form_id) == (FormStatus.SUBMITTED, version, 0)


async def test_a_stranger_pressing_any_button_gets_the_invitation_hint_and_nothing_changes(world: World):
    """Given a submitted form in an open period, when someone who never joined presses every kind of button the
    bot has (and one it no longer knows), then every press is answered, each with the invitation hint, and the
    database is exactly as before."""
    period_id = open_october(world)
    form_id, version = submitted(world, period_id)
    await review_message(world, SEKRETARIS, PENGADUAN_UNIT)
    with world.session() as session:
        p4 = session.exec(select(Indicator).where(Indicator.code == "P.4")).one().id
        staff = member(session, PENGADUAN).id
        unit = member(session, PENGADUAN).unit_id
    presses = [
        pack(Button.FILL_PERIOD, period_id), pack(Button.FILL_AMBIGUOUS, 1, 0), pack(Button.FILL_FAR_OFF_SURE, 1),
        pack(Button.FILL_RETYPE, 1), pack(Button.FILL_KEEP, 1, p4), pack(Button.FILL_KEEP_KENDALA, 1, p4),
        pack(Button.FILL_KEEP_TINDAK_LANJUT, 1, p4), pack(Button.FILL_NEXT, 1), pack(Button.FILL_EDIT, period_id, p4),
        pack(Button.FILL_SEND, form_id, 1), pack(Button.FILL_SEND_CONFIRM, form_id, 1),
        pack(Button.FILL_SEND_CANCEL, form_id), pack(Button.REVIEW_APPROVE, form_id, version),
        pack(Button.REVIEW_RETURN, form_id, version), pack(Button.REVIEW_TOGGLE, form_id, p4),
        pack(Button.REVIEW_ARAHAN, form_id), pack(Button.REVIEW_CANCEL, form_id),
        pack(Button.KABID_APPROVE, form_id, version), pack(Button.KABID_RETURN, form_id, version),
        pack(Button.UNLOCK_REQUEST, form_id, p4), pack(Button.UNLOCK_GRANT, 1), pack(Button.UNLOCK_REFUSE, 1),
        pack(Button.EVIDENCE, form_id),
        pack(Button.REPORT, period_id), pack(Button.KEPALA_AGREE, period_id), pack(Button.KEPALA_ARAHAN, period_id),
        pack(Button.KEPALA_UNITS, period_id), pack(Button.KEPALA_AGREE_UNDO, period_id),
        pack(Button.KEPALA_PREVIEW_UNIT, 1, unit), pack(Button.KEPALA_PREVIEW_INDICATOR, 1, p4),
        pack(Button.KEPALA_PREVIEW_SEND, 1, period_id), pack(Button.KEPALA_PREVIEW_EDIT, 1, period_id),
        pack(Button.FOLLOW_UP_DONE, 1),
        pack(Button.INVITE_ROLE, 0), pack(Button.INVITE_UNIT, 0, unit), pack(Button.MEMBER, staff),
        pack(Button.MEMBER_ROLE, staff, 0), pack(Button.MEMBER_UNITS, staff), pack(Button.MEMBER_MOVE, staff, unit),
        pack(Button.MEMBER_ACTIVE, staff), pack(Button.PERIOD_OPEN, 2026, 0, 11), pack(Button.PERIOD_CLOSE, period_id),
        pack(Button.PERIOD_OPEN_CONFIRM, 2026, 0, 11), pack(Button.PERIOD_OPEN_CANCEL, 2026, 0, 11),
        pack(Button.LANGUAGE, 1), pack(Button.REMINDER_SNOOZE, 1), pack(Button.MEASUREMENT_START, 2026, 1),
        pack(Button.MEASUREMENT_ANALYSIS, 1), pack(Button.MEASUREMENT_RENCANA_AKSI, 1),
        pack(Button.MEASUREMENT_TEXT_DONE, 1, 1), pack(Button.MEASUREMENT_TEXT_RESTART, 1, 1),
        pack(Button.MEASUREMENT_SUBMIT, 1, 1),
        pack(Button.MEASUREMENT_APPROVE, 1, 1), pack(Button.MEASUREMENT_RETURN, 1, 1),
        pack(Button.MEASUREMENT_REPORT, 1), pack(Button.MEASUREMENT_AGREE, 1), pack(Button.MEASUREMENT_ARAHAN, 1),
        pack(Button.RECAP_PERIOD, 202603), pack(Button.EXPORT_PERIOD, 202600, 3, 0),
        pack(Button.LAPORAN_PERIOD, 202621, 0), pack(Button.MEASUREMENT_PERIOD, 2026, 1),
        pack(Button.INBOX_REVIEW, form_id), pack(Button.INBOX_UNLOCK, 1), pack(Button.INBOX_REPORT, period_id),
        pack(Button.INBOX_DISPOSE, period_id),
        "zz.old|1",  # a button of an older version of the bot
    ]
    assert {data.split("|")[0] for data in presses} >= packed_in_handlers()
    stranger = world.emu.user(999, "Orang Asing")
    await stranger.send_command("/start")
    hint = await world.emu.wait_for_bot_message(999, STRANGER)
    before = snapshot(world)

    for data in presses:
        query_id = await stranger.press(hint, data, force=True)
        answer = await world.emu.wait_for_bot_message(999)
        assert answer["text"] == STRANGER, data
        assert world.emu.callback_answer(query_id) is not None, f"{data}: the button keeps spinning"

    assert snapshot(world) == before
    assert form_state(world, form_id) == (FormStatus.SUBMITTED, version, 0)
    assert no_failed_calls(world) == []


# -- a button whose item was already handled -------------------------------------------------------------
def add_second_sekretaris(world: World) -> None:
    with session_scope(world.engine) as session:
        unit = session.exec(select(Unit).where(Unit.name == "Sekretariat")).one()
        _, token = create_invite(session, Role.SEKRETARIS, unit, Actor.cli(), now=world.clock.now)
        accept_invite(session, token, 105, "Bu Sekretaris Dua", "id", now=world.clock.now)
    world.emu.user(105, "Bu Sekretaris Dua")


def handled_text(world: World, form_id: int, name: str) -> str:
    with world.session() as session:
        review = session.exec(select(Review).where(Review.form_id == form_id)).one()
    when = format_datetime(review.created_at, world.application.bot_data.timezone, "id")
    return t("error.already_handled", "id", name=name, when=when)


@pytest.mark.parametrize("label", [APPROVE, RETURN], ids=["setujui", "kembalikan"])
async def test_the_other_sekretaris_is_told_who_handled_the_form_and_when(world: World, label: str):
    """Given two Sekretaris who both got Pengaduan's form, when one approves it and then the other presses
    Setujui or Kembalikan on their own copy, then the other is told 'Sudah ditangani oleh <name> pada <time>'
    and the form changed once."""
    add_second_sekretaris(world)
    period_id = open_october(world)
    form_id, version = submitted(world, period_id)
    first = await review_message(world, SEKRETARIS, PENGADUAN_UNIT)
    second = await review_message(world, 105, PENGADUAN_UNIT)
    assert button_data(first, APPROVE) == button_data(second, APPROVE)

    await world.emu.user(SEKRETARIS).press(first, button_data(first, APPROVE))
    await world.emu.wait_for_bot_message(SEKRETARIS, "disetujui dan dikunci")
    await world.emu.user(105).press(second, button_data(second, label))
    answer = await world.emu.wait_for_bot_message(105, "Sudah ditangani")

    assert answer["text"] == handled_text(world, form_id, "Pak Sekretaris")
    assert form_state(world, form_id) == (FormStatus.APPROVED, version + 1, 1)
    assert audit_count(world, "form.approved") == 1 and audit_count(world, "form.returned") == 0
    assert refusals(world, 105) == []
    assert no_failed_calls(world) == []


async def test_two_quick_presses_of_one_button_make_one_change(world: World):
    """Given the Sekretaris's review message, when Setujui is pressed twice before the bot answers, then the
    form is approved once (one Review, one form.approved audit row, one notice per unit member) and the second
    press is told who handled it and when."""
    period_id = open_october(world)
    form_id, version = submitted(world, period_id)
    review = await review_message(world, SEKRETARIS, PENGADUAN_UNIT)
    data = button_data(review, APPROVE)
    sekretaris = world.emu.user(SEKRETARIS)

    await sekretaris.press(review, data)
    await sekretaris.press(review, data, force=True)  # the second tap, before the bot closed the keyboard
    answers = [await world.emu.wait_for_bot_message(SEKRETARIS, lambda m: "disetujui dan dikunci" in m["text"]
                                                    or "Sudah ditangani" in m["text"]) for _ in range(2)]

    assert ["disetujui dan dikunci" in a["text"] for a in answers] == [True, False]
    assert answers[1]["text"] == handled_text(world, form_id, "Pak Sekretaris")
    assert form_state(world, form_id) == (FormStatus.APPROVED, version + 1, 1)
    assert audit_count(world, "form.approved") == 1
    with world.session() as session:
        unit_members = session.exec(select(func.count()).select_from(Member).where(
            Member.unit_id == session.get(UnitForm, form_id).unit_id, Member.active == True)).one()  # noqa: E712
        approved_notices = session.exec(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "form_approved")).one()
        assert approved_notices == unit_members
    # the second press finds the keyboard already closed; closing it again is refused, and that is all
    assert [(c.method, "not modified" in str(c.error)) for c in no_failed_calls(world)] == [
        ("editMessageReplyMarkup", True)]


# -- helpers ---------------------------------------------------------------------------------------------
BOOKKEEPING = frozenset({"handled_updates", "inbox_updates", "chat_pace"})


def snapshot(world: World) -> dict[str, list]:
    """Every row of every table (the outbox only counted: delivery marks rows sent as it goes; the inbox, handled
    update ids and each chat's pace left out: they are the bot's bookkeeping of Telegram's deliveries, written
    for every update and every message)."""
    tables = {}
    with world.engine.connect() as connection:
        for name in sa.inspect(connection).get_table_names():
            if name in BOOKKEEPING:
                continue
            rows = connection.execute(sa.text(f'SELECT * FROM "{name}"')).all()
            tables[name] = len(rows) if name == "outbox" else sorted(map(repr, rows))
    return tables



@pytest.mark.parametrize("presser", [KEPALA, ADMIN], ids=["kepala", "admin"])
async def test_roles_that_do_not_fill_cannot_open_a_form_by_its_buttons(world: World, presser: int):
    """Given an open month, when the Kepala Dinas or the admin types /isi or presses 'Isi sekarang' or an
    'edit P.4' button of a unit's summary, then each is refused and audited, and no form is started for them."""
    period_id = open_october(world)
    with world.session() as session:
        p4 = session.exec(select(Indicator).where(Indicator.code == "P.4")).one().id
    before = snapshot(world)

    await world.emu.user(presser).send_command("/isi")
    assert (await world.emu.wait_for_bot_message(presser))["text"] == FORBIDDEN
    for data in (pack(Button.FILL_PERIOD, period_id), pack(Button.FILL_EDIT, period_id, p4)):
        assert (await press_data(world, presser, data, FORBIDDEN))["text"] == FORBIDDEN

    assert [r["action"] for r in refusals(world, presser)] == [Action.FILL_FORM.value] * 3
    after = snapshot(world)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {k: v for k, v in before.items()
                                                                   if k != "audit_log"}


def test_the_domain_refuses_values_for_another_units_form(office_engine):
    """Given an open month, when a value, a note or a kept value for Pengaduan's P.4 is stored in the name of
    staff of Pelayanan Perizinan, then the domain itself refuses it (not only the chat)."""
    with session_scope(office_engine) as session:
        period = open_period(session, member(session, ADMIN), OCTOBER, None, now=system_clock())
        p4 = session.exec(select(Indicator).where(Indicator.code == "P.4")).one()
        fill = lambda who: record_value(session, member(session, who), p4, period, Decimal(90), now=system_clock())  # noqa: E731
        fill(PENGADUAN)
        for attempt in (lambda: fill(PERIZINAN),
                        lambda: record_note(session, member(session, PERIZINAN), p4, period, "kendala", "x",
                                                    now=system_clock()),
                        lambda: keep_value(session, member(session, PERIZINAN), p4, period, now=system_clock())):
            with pytest.raises(WorkflowError) as refused, session.begin_nested():
                attempt()
            assert refused.value.code == "forbidden"
        assert [row.value for row in session.exec(select(Realisasi).where(Realisasi.indicator_id == p4.id))] == [
            Decimal(90)]



async def test_a_return_being_written_ends_when_the_other_sekretaris_handled_the_form(world: World):
    """Given two Sekretaris with Pengaduan's form, when one has chosen P.4 to return and is asked for the arahan
    while the other approves the form, then the arahan is answered 'Sudah ditangani oleh <name> pada <time>',
    the return is over, and the next text is not taken as arahan again."""
    add_second_sekretaris(world)
    period_id = open_october(world)
    form_id, version = submitted(world, period_id)
    first = await review_message(world, SEKRETARIS, PENGADUAN_UNIT)
    second = await review_message(world, 105, PENGADUAN_UNIT)
    emu = world.emu
    await emu.user(SEKRETARIS).press(first, button_data(first, RETURN))
    await emu.wait_for_bot_message(SEKRETARIS, "Pilih indikator")
    await emu.user(SEKRETARIS).press_button(text="⬜ P.4")
    await emu.wait_for_call("editMessageReplyMarkup", lambda call: str(call.params.get("chat_id")) == "103")
    await emu.user(SEKRETARIS).press_button(text=t("review.write_arahan_button", "id"))
    await emu.wait_for_bot_message(SEKRETARIS, "Tulis arahan untuk P.4")
    await emu.user(105).press(second, button_data(second, APPROVE))
    await emu.wait_for_bot_message(105, "disetujui dan dikunci")

    await emu.user(SEKRETARIS).send_text("Lengkapi register pengaduan")
    answer = await emu.wait_for_bot_message(SEKRETARIS)
    assert answer["text"] == handled_text(world, form_id, "Bu Sekretaris Dua")
    assert form_state(world, form_id) == (FormStatus.APPROVED, version + 1, 1)
    await emu.user(SEKRETARIS).send_text("halo")
    assert (await emu.wait_for_bot_message(SEKRETARIS))["text"] == t("chat.unknown_input", "id")


# -- every role against every command ---------------------------------------------------------------------
COMMAND_ACTIONS = {"/isi": Action.FILL_FORM, "/status": Action.VIEW_STATUS, "/rekap": Action.VIEW_RECAP,
                   "/ekspor": Action.EXPORT, "/periode": Action.MANAGE_PERIODS, "/undang": Action.INVITE,
                   "/anggota": Action.MANAGE_MEMBERS, "/pengukuran": Action.VIEW_RECAP,
                   "/laporan": Action.VIEW_RECAP}
ONE_PER_ROLE = {ADMIN: A, KEPALA: K, SEKRETARIS: S, TIM: T, KABID_MODAL: B, MODAL: F}


@pytest.mark.parametrize("user_id", list(ONE_PER_ROLE), ids=[role.value for role in ONE_PER_ROLE.values()])
async def test_every_role_against_every_command(world: World, user_id: int):
    """Given an open month, when a member of each role types every command, then exactly the commands the table
    refuses their role are answered with the forbidden text and audited, and /bantuan lists exactly the others."""
    open_october(world)
    role = ONE_PER_ROLE[user_id]
    emu = world.emu
    refused = set()
    for command, action in COMMAND_ACTIONS.items():
        await emu.user(user_id).send_command(command)
        await emu.user(user_id).send_command("/bantuan")  # a fence: what came before it answered the command
        answers = []
        while not (answers and "Perintah untuk Anda" in (answers[-1].get("text") or "")):
            # /laporan draws a PDF with charts: on a busy 2-core CI machine that can take longer than 5 s
            answers.append(await emu.wait_for_bot_message(user_id, timeout=30))
        if any(answer.get("text") == FORBIDDEN for answer in answers[:-1]):
            refused.add(action)
        help_text = answers[-1]["text"]

    assert refused == {action for action in COMMAND_ACTIONS.values() if not expected(role, action)}
    assert {r["action"] for r in refusals(world, user_id)} == {action.value for action in refused}
    listed = {line.split(" ")[0] for line in help_text.splitlines() if line.startswith("/")}
    assert {command for command, action in COMMAND_ACTIONS.items() if expected(role, action)} == \
        listed & set(COMMAND_ACTIONS)
    assert no_failed_calls(world) == []


async def test_only_the_sekretaris_decides_an_unlock_request(world: World):
    """Given Pengaduan's approved form and its staff's request to unlock P.4, when the requester, the Kabid of
    another unit or the Kepala Dinas press 'Izinkan' or 'Tolak', then they are refused and audited, the request
    stays pending and the form stays approved; the Sekretaris can still decide it."""
    period_id = open_october(world)
    with session_scope(world.engine) as session:
        form = fill_form(session, PENGADUAN, period_id, world.clock.now)
        submit_unit_form(session, member(session, PENGADUAN), form.id, now=world.clock.now)
        approve_unit_form(session, member(session, SEKRETARIS), form.id, form.version, now=world.clock.now)
        p4 = session.exec(select(Indicator).where(Indicator.code == "P.4")).one()
        request = request_unlock(session, member(session, PENGADUAN), form.id, p4.id, "Salah ketik",
                                 now=world.clock.now)
        form_id, version, request_id = form.id, form.version, request.id
    wake(world)
    asked = await world.emu.wait_for_bot_message(SEKRETARIS, "meminta buka kunci")

    for presser, data in ((PENGADUAN, pack(Button.UNLOCK_GRANT, request_id)),
                          (KABID_MODAL, pack(Button.UNLOCK_GRANT, request_id)),
                          (KEPALA, pack(Button.UNLOCK_REFUSE, request_id))):
        await press_data(world, presser, data, FORBIDDEN)
        assert refusals(world, presser) == [{"entity": "unlock_request", "entity_id": request_id,
                                             "action": Action.GRANT_UNLOCK.value, "unit_id": None}]
    with world.session() as session:
        assert UnlockStatus(session.get(UnlockRequest, request_id).status) is UnlockStatus.PENDING
    assert form_state(world, form_id) == (FormStatus.APPROVED, version, 1)

    await world.emu.user(SEKRETARIS).press(asked, button_data(asked, t("review.unlock_grant_button", "id")))
    await world.emu.wait_for_bot_message(SEKRETARIS, "Kunci P.4 dibuka")
    assert form_state(world, form_id)[0] is FormStatus.RETURNED
    assert no_failed_calls(world) == []
