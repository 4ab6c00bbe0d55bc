"""Changing a value after the Sekretaris approved it: the unlock request (SOP procedure A, step 10).

Given the Bidang Pelayanan Perizinan's form for Oktober 2026 approved and locked, when its staff asks to unlock one
indicator, then the bot asks why, and the Sekretaris gets the request with its reason and Izinkan / Tolak; granted,
the staff is told the Sekretaris unlocked it at their request (not "returned with arahan"), changes that one value
and sends the form again, and the Sekretaris sees old → new; refused, the form stays locked and the staff is told.
Every step, the reason with it, is in the audit log.
"""

from __future__ import annotations

import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlmodel import Session, select

from handlers.callbacks import Button, pack
from handlers.fill.views import unlocked_line
from i18n import t
from models.collection.form_filling import Unlock, record_value
from models.collection.forms import FormStatus, UnitForm, UnlockRequest, UnlockStatus
from models.collection.realisasi import latest_revision
from models.collection.review import approve_unit_form, decide_unlock, request_unlock, submit_unit_form
from models.collection.workflow import form_for
from models.office.audit import AuditEntry
from models.office.invites import member_by_telegram_id
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodStatus
from models.store.database import session_scope
from tests.chat.conftest import World, alert_of, button_data, until_button
from tests.chat.test_full_cycle import press, say

SEKRETARIS, MODAL, PERIZINAN = 103, 120, 130
APPROVED = {"P.1": "100", "P.2": "95", "P.3": "6"}
REASON = "Salah ketik: 95 <seharusnya> 97 & sudah dicek"  # HTML characters: shown as typed everywhere



def labels(message: dict) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def indicator(session: Session, code: str) -> Indicator:
    return session.exec(select(Indicator).where(Indicator.code == code)).one()


@pytest.fixture
def approved_form(world: World) -> int:
    """Oktober 2026 is open; Perizinan filled P.1–P.3 on target, sent the form, and the Sekretaris approved it."""
    with session_scope(world.engine) as session:
        period = Period(kind=PeriodKind.MONTH, year=2026, number=10, status=PeriodStatus.OPEN)
        session.add(period)
        session.flush()
        staff, sekretaris = member_by_telegram_id(session, PERIZINAN), member_by_telegram_id(session, SEKRETARIS)
        for code, value in APPROVED.items():
            record_value(session, staff, indicator(session, code), period, Decimal(value), now=world.clock.now)
        form = form_for(session, staff.unit_id, period.id)
        submit_unit_form(session, staff, form.id, now=world.clock.now)
        approve_unit_form(session, sekretaris, form.id, None, now=world.clock.now)
        return form.id


def form_state(world: World, form_id: int) -> tuple[FormStatus, dict[str, Decimal]]:
    with world.session() as session:
        form = session.get(UnitForm, form_id)
        values = {code: latest_revision(session, indicator(session, code).id, form.period_id).value
                  for code in APPROVED}
        return FormStatus(form.status), values


def audit_actions(world: World) -> list[str]:
    with world.session() as session:
        return [entry.action for entry in session.exec(select(AuditEntry).order_by(AuditEntry.id))]


async def request_unlock_of_p2(world: World, reason: str = REASON) -> dict:
    """The staff opens the approved form, asks to unlock P.2 and writes why; returns the request the Sekretaris
    got."""
    await say(world, PERIZINAN, "/isi", "Ringkasan formulir")
    asked = await press(world, PERIZINAN, "🔓 P.2", "Tulis alasan membuka kunci")
    assert asked["text"] == ("Tulis alasan membuka kunci P.2 (Bidang Pelayanan Perizinan · Oktober 2026); "
                             "Sekretaris akan membacanya:")
    await say(world, PERIZINAN, reason, "Permintaan buka kunci P.2 dikirim ke Sekretaris")
    request = await world.emu.wait_for_bot_message(SEKRETARIS, "meminta buka kunci")
    assert request["text"] == ("🔓 Rina Perizinan meminta buka kunci P.2 (Bidang Pelayanan Perizinan · Oktober 2026)."
                               f"\nAlasan: {reason}")
    assert labels(request) == ["Izinkan", "Tolak"]
    return request


async def test_an_approved_form_shows_its_summary_locked_with_an_unlock_button_per_indicator(world, approved_form):
    await world.emu.user(PERIZINAN).send_text("/isi")
    locked = await world.emu.wait_for_bot_message(PERIZINAN, "sudah disetujui dan dikunci")
    assert locked["text"] == "Formulir Oktober 2026 sudah disetujui dan dikunci."
    summary = await world.emu.wait_for_bot_message(PERIZINAN, "Ringkasan formulir")
    assert "Bidang Pelayanan Perizinan · Oktober 2026" in summary["text"]
    assert "tekan 🔓 pada indikatornya" in summary["text"]
    assert labels(summary) == ["🔓 P.1", "🔓 P.2", "🔓 P.3"]  # no ✏️ edit and no 📤 Kirim on a locked form

    # Typing a value is not taken: nothing is being asked.
    await say(world, PERIZINAN, "120", "tidak saya pahami")
    assert form_state(world, approved_form) == (FormStatus.APPROVED, {k: Decimal(v) for k, v in APPROVED.items()})


async def test_a_granted_unlock_lets_the_unit_change_that_value_and_send_the_form_again(world, approved_form):
    emu = world.emu
    request = await request_unlock_of_p2(world)

    await emu.user(SEKRETARIS).press(request, button_data(request, "Izinkan"))
    granted = await emu.wait_for_bot_screen(SEKRETARIS, "Diizinkan oleh Pak Sekretaris")
    assert granted["message_id"] == request["message_id"]  # the request's card itself shows the decision
    assert granted["text"].startswith("🔓 Diizinkan oleh Pak Sekretaris · ")
    assert granted["text"].endswith("\n\n" + request["text"])
    assert not labels(granted)
    told = await emu.wait_for_bot_message(PERIZINAN, "Sekretaris membuka kunci P.2")
    assert told["text"] == ("🔓 Sekretaris membuka kunci P.2 (Oktober 2026) atas permintaan Anda "
                            f"(alasan: {REASON}). Perbaiki nilainya lalu kirim lagi.")
    assert form_state(world, approved_form)[0] is FormStatus.RETURNED

    question = await press(world, PERIZINAN, "Perbaiki sekarang", "Ketik nilai realisasi")
    assert "P.2 Persentase perizinan selesai tepat waktu" in question["text"]
    assert "Nilai tersimpan: 95%" in question["text"]
    # What happened, honestly: the unit asked, the Sekretaris gave no arahan.
    assert (f"🔓 Sekretaris membuka kunci P.2 atas permintaan Anda (alasan: {REASON}). Perbaiki nilainya lalu "
            "kirim lagi.") in question["text"]
    assert "Dikembalikan" not in question["text"] and "Arahan" not in question["text"]
    await say(world, PERIZINAN, "97", "tercapai")
    await press(world, PERIZINAN, "Lewati", "Ringkasan formulir")
    await press(world, PERIZINAN, "📤 Kirim ke Sekretaris", "Kirim formulir ke Sekretaris?")
    await press(world, PERIZINAN, "Ya, kirim", "terkirim ke Sekretaris")

    again = await emu.wait_for_bot_message(SEKRETARIS, "dikirim ulang")
    assert "P.2: 95% → 97%" in again["text"]
    assert "P.1:" not in again["text"] and "P.3:" not in again["text"]
    assert form_state(world, approved_form) == (FormStatus.SUBMITTED,
                                                {"P.1": Decimal(100), "P.2": Decimal(97), "P.3": Decimal(6)})

    with world.session() as session:
        unlock = session.exec(select(UnlockRequest)).one()
        assert UnlockStatus(unlock.status) is UnlockStatus.GRANTED
        assert unlock.requested_by_id == member_by_telegram_id(session, PERIZINAN).id
        assert unlock.decided_by_id == member_by_telegram_id(session, SEKRETARIS).id
        assert unlock.reason == REASON
        audited = session.exec(select(AuditEntry).where(AuditEntry.action.startswith("unlock."))
                               .order_by(AuditEntry.id)).all()
        assert [(entry.action, json.loads(entry.after)["reason"]) for entry in audited] == [("unlock.request", REASON),
                                                                                ("unlock.granted", REASON)]
    actions = audit_actions(world)
    assert actions.index("unlock.request") < actions.index("unlock.granted")
    assert actions.index("unlock.request") < actions.index("form.unlocked")
    assert actions.count("form.submitted") == 2

    # A second press of Izinkan (an old client) changes nothing and says who decided, in an alert.
    query = await emu.user(SEKRETARIS).press(request, button_data(request, "Izinkan"), force=True)
    assert (await alert_of(emu, query)).startswith("Sudah ditangani oleh Pak Sekretaris")
    assert audit_actions(world).count("unlock.granted") == 1


async def test_after_an_unlock_the_other_values_stay_locked(world, approved_form):
    """Only the unlocked indicator may change: the others were approved and must not change unseen (the
    Sekretaris's "Perubahan" list on the resubmitted form covers the unlocked indicator only)."""
    emu = world.emu
    request = await request_unlock_of_p2(world)
    await emu.user(SEKRETARIS).press(request, button_data(request, "Izinkan"))
    await press(world, PERIZINAN, "Perbaiki sekarang", "Ketik nilai realisasi")
    await say(world, PERIZINAN, "97", "tercapai")
    summary = await press(world, PERIZINAN, "Lewati", "Ringkasan formulir")
    assert "✏️ P.1" not in labels(summary) and "✏️ P.3" not in labels(summary)
    assert "📤 Kirim ke Sekretaris" in labels(summary)

    # Even an edit button for P.1 (from an older summary, or forged) does not reopen it.
    with world.session() as session:
        form = session.get(UnitForm, approved_form)
        edit_p1 = pack(Button.FILL_EDIT, form.period_id, indicator(session, "P.1").id)
    await emu.user(PERIZINAN).press(summary, edit_p1, force=True)
    await emu.wait_for_bot_message(PERIZINAN)
    await emu.user(PERIZINAN).send_text("150")
    await emu.wait_for_bot_message(PERIZINAN)
    assert form_state(world, approved_form)[1] == {"P.1": Decimal(100), "P.2": Decimal(97), "P.3": Decimal(6)}


async def test_a_refused_unlock_keeps_the_form_locked_and_tells_the_member(world, approved_form):
    emu = world.emu
    request = await request_unlock_of_p2(world)

    await emu.user(SEKRETARIS).press(request, button_data(request, "Tolak"))
    refused = await emu.wait_for_bot_screen(SEKRETARIS, "Ditolak oleh Pak Sekretaris")
    assert refused["message_id"] == request["message_id"] and not labels(refused)
    told = await emu.wait_for_bot_message(PERIZINAN, "Sekretaris menolak")
    assert told["text"] == ("Sekretaris menolak permintaan Anda membuka kunci P.2 (Oktober 2026) "
                            f"(alasan: {REASON}). Nilainya tetap seperti yang disetujui.")
    assert not labels(told)

    assert form_state(world, approved_form) == (FormStatus.APPROVED, {k: Decimal(v) for k, v in APPROVED.items()})
    with world.session() as session:
        assert UnlockStatus(session.exec(select(UnlockRequest)).one().status) is UnlockStatus.REFUSED
    actions = audit_actions(world)
    assert "unlock.request" in actions and "unlock.refused" in actions
    assert "unlock.granted" not in actions and "form.unlocked" not in actions

    await say(world, PERIZINAN, "/isi", "sudah disetujui dan dikunci")


async def test_only_the_units_own_members_may_ask_and_only_the_sekretaris_may_decide(world, approved_form):
    emu = world.emu
    await say(world, PERIZINAN, "/isi", "Ringkasan formulir")
    summary = await until_button(emu, PERIZINAN, "🔓 P.2")
    unlock_p2 = button_data(summary, "🔓 P.2")

    # Staff of another unit pressing the same button (a forwarded or forged one) is refused and audited.
    other = await say(world, MODAL, "/status")
    await emu.user(MODAL).press(other, unlock_p2, force=True)
    refused = await emu.wait_for_bot_message(MODAL, "tidak berwenang")
    assert refused is not None
    with world.session() as session:
        assert session.exec(select(UnlockRequest)).all() == []

    # The staff's own request, then the staff trying to grant it themselves.
    request = await request_unlock_of_p2(world)
    mine = emu.last_bot_message(PERIZINAN)
    query = await emu.user(PERIZINAN).press(mine, button_data(request, "Izinkan"), force=True)
    assert "tidak berwenang" in await alert_of(emu, query)
    assert form_state(world, approved_form)[0] is FormStatus.APPROVED
    assert audit_actions(world).count("permission.refused") == 2


async def test_the_reason_is_asked_again_when_empty_or_too_long_and_nothing_is_sent_before_it(world, approved_form):
    emu = world.emu
    await say(world, PERIZINAN, "/isi", "Ringkasan formulir")
    await press(world, PERIZINAN, "🔓 P.2", "Tulis alasan membuka kunci")
    assert unlock_requests(world) == []  # nothing reaches the Sekretaris before the reason

    await say(world, PERIZINAN, "   ", "Teksnya kosong")
    await say(world, PERIZINAN, "x" * 1001, "Teks terlalu panjang (maksimal 1000 karakter)")
    assert unlock_requests(world) == []
    assert "unlock.request" not in audit_actions(world)

    await say(world, PERIZINAN, "  Nilai P.2 keliru  ", "Permintaan buka kunci P.2 dikirim ke Sekretaris")
    request = await emu.wait_for_bot_message(SEKRETARIS, "meminta buka kunci")
    assert request["text"].endswith("\nAlasan: Nilai P.2 keliru")
    assert [(status, reason) for status, reason in unlock_requests(world)] == [(UnlockStatus.PENDING,
                                                                                "Nilai P.2 keliru")]
    # The question ended: a value typed now is not a reason.
    await say(world, PERIZINAN, "97", "tidak saya pahami")
    assert len(unlock_requests(world)) == 1


async def test_cancelling_the_reason_sends_nothing_and_the_lock_button_still_works(world, approved_form):
    await say(world, PERIZINAN, "/isi", "Ringkasan formulir")
    await press(world, PERIZINAN, "🔓 P.2", "Tulis alasan membuka kunci")
    await say(world, PERIZINAN, "/batal", "Dibatalkan")
    assert unlock_requests(world) == []

    # The summary kept its 🔓 buttons: pressed again, the reason is asked again.
    await press(world, PERIZINAN, "🔓 P.2", "Tulis alasan membuka kunci")
    await say(world, PERIZINAN, "Angka dari sistem lama", "dikirim ke Sekretaris")
    assert unlock_requests(world) == [(UnlockStatus.PENDING, "Angka dari sistem lama")]


async def test_a_request_already_waiting_is_said_so_and_not_asked_twice(world, approved_form):
    await request_unlock_of_p2(world)
    await say(world, PERIZINAN, "/isi", "Ringkasan formulir")
    waiting = await press(world, PERIZINAN, "🔓 P.2", "sudah menunggu keputusan Sekretaris")
    assert waiting["text"] == "Permintaan buka kunci P.2 dari Rina Perizinan sudah menunggu keputusan Sekretaris."
    await say(world, PERIZINAN, "alasan lain", "tidak saya pahami")  # no reason is being asked
    assert unlock_requests(world) == [(UnlockStatus.PENDING, REASON)]


def test_a_colleague_sees_who_asked_for_the_unlock_and_why():
    """The card of an item reopened by an unlock names the member who asked ("Anda" for that member)."""
    unlock = Unlock("Rina <Perizinan>", 7, "Nilai & satuan keliru")
    item = SimpleNamespace(unlock=unlock, indicator=SimpleNamespace(code="P.2"))
    assert unlocked_line(item, "id", viewer=8) == (
        "🔓 <b>Sekretaris membuka kunci P.2 atas permintaan Rina &lt;Perizinan&gt;</b> "
        "(alasan: Nilai &amp; satuan keliru). Perbaiki nilainya lalu kirim lagi.")
    assert unlocked_line(item, "en", viewer=7) == (
        "🔓 <b>The Sekretaris unlocked P.2 at your request</b> (reason: Nilai &amp; satuan keliru). "
        "Correct the value, then send again.")
    assert "alasan: -" in unlocked_line(SimpleNamespace(unlock=Unlock("Rina", 7, None), indicator=item.indicator),
                                        "id", viewer=7)


def unlock_requests(world: World) -> list[tuple[UnlockStatus, str | None]]:
    with world.session() as session:
        return [(UnlockStatus(request.status), request.reason)
                for request in session.exec(select(UnlockRequest).order_by(UnlockRequest.id))]


async def test_a_reason_typed_after_the_item_was_unlocked_meanwhile_is_refused_and_ends_the_question(world,
                                                                                                   approved_form):
    """While the staff writes the reason, P.2 is unlocked on another request: the reason is not sent (the form is
    no longer locked), the member is told, and the next text is not taken as a reason."""
    await say(world, PERIZINAN, "/isi", "Ringkasan formulir")
    await press(world, PERIZINAN, "🔓 P.2", "Tulis alasan membuka kunci")
    with session_scope(world.engine) as session:
        staff, sekretaris = member_by_telegram_id(session, PERIZINAN), member_by_telegram_id(session, SEKRETARIS)
        request = request_unlock(session, staff, approved_form, indicator(session, "P.2").id, "dari tempat lain",
                                 now=world.clock.now)
        decide_unlock(session, sekretaris, request.id, True, now=world.clock.now)
    refused = await say(world, PERIZINAN, "Alasan yang terlambat", "tidak terkunci")
    assert refused["text"] == t("error.not_locked", "id")
    assert unlock_requests(world) == [(UnlockStatus.GRANTED, "dari tempat lain")]
    await say(world, PERIZINAN, "halo", "tidak saya pahami")
