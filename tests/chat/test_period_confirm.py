"""A second look before a period is opened (`/periode`).

Given the demo office on Sunday 22 November 2026, when the admin types /periode, then only the periods due are
offered (October 2026 and Triwulan III 2026: ended, not open yet; not the unfinished November nor Triwulan IV, nor
a period already open); pressing one says how many members will be told and opens nothing until "Ya, buka";
"Batal" opens nothing and sends nothing.
"""

from __future__ import annotations

from sqlmodel import select

from handlers.callbacks import Button, pack
from models.collection.opening import opening_recipients
from models.messaging.outbox import OutboxMessage
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from tests.chat.conftest import World, until_button
from tests.chat.test_admin import labels, open_month_in_db
from tests.chat.test_full_cycle import press, say

ADMIN, TIM = 101, 104
UNIT_MEMBERS = (103, 104, 110, 120, 121, 130, 140)  # Sekretaris, Tim SAKIP, and every unit's staff and kabid
OCTOBER, TW3 = PeriodRef(PeriodKind.MONTH, 2026, 10), PeriodRef(PeriodKind.QUARTER, 2026, 3)


def periods(world: World) -> dict[PeriodRef, PeriodStatus]:
    with world.session() as session:
        return {period.ref: PeriodStatus(period.status) for period in session.exec(select(Period))}


def notices(world: World) -> list[OutboxMessage]:
    with world.session() as session:
        return list(session.exec(select(OutboxMessage)))


async def test_periode_offers_only_due_periods_and_opens_only_after_confirmation(world: World):
    open_month_in_db(world, 2026, 9)  # open already: not offered again
    listing = await say(world, TIM, "/periode", "Periode")
    offered = [label for label in labels(listing) if label.startswith("Buka ")]
    assert offered == ["Buka Oktober 2026", "Buka Triwulan III 2026"]
    assert "Tutup September 2026" in labels(listing)

    # The second look: who will be told, counted as the opening counts them; nothing is opened yet.
    with world.session() as session:
        recipients = {member.telegram_user_id for member in opening_recipients(session, OCTOBER)}
    assert recipients == set(UNIT_MEMBERS)
    confirm = await press(world, TIM, "Buka Oktober 2026", "anggota akan diberi tahu")
    assert "Buka Oktober 2026 — 7 anggota akan diberi tahu" in confirm["text"]
    assert labels(confirm) == ["Ya, buka", "Batal"]
    assert OCTOBER not in periods(world) and notices(world) == []

    # Batal: nothing opened, nobody told.
    cancelled = await press(world, TIM, "Batal", "Dibatalkan")
    assert "Oktober 2026 tidak dibuka" in cancelled["text"]
    assert OCTOBER not in periods(world) and notices(world) == []

    # Ya, buka: opened once, each unit member told once.
    await say(world, TIM, "/periode", "Periode")
    await press(world, TIM, "Buka Oktober 2026", "7 anggota")
    await press(world, TIM, "Ya, buka", "dibuka")
    assert periods(world)[OCTOBER] is PeriodStatus.OPEN
    for user_id in UNIT_MEMBERS:
        await world.emu.wait_for_bot_message(user_id, "Formulir Oktober 2026 dibuka")
    assert len(notices(world)) == len(UNIT_MEMBERS)

    # Now open: no longer offered; the confirmation pressed again is refused and sends nothing more.
    listing = await say(world, TIM, "/periode", "Periode")
    assert [label for label in labels(listing) if label.startswith("Buka ")] == ["Buka Triwulan III 2026"]
    stale = await until_button(world.emu, TIM, "Buka Triwulan III 2026")
    await world.emu.user(TIM).press(stale, pack(Button.PERIOD_OPEN_CONFIRM, 2026, 0, 10), force=True)
    await world.emu.wait_for_bot_message(TIM, "sudah dibuka")
    assert len(notices(world)) == len(UNIT_MEMBERS)

    # Closed, then reopened: offered again, and nobody is told twice (the count says so).
    await say(world, TIM, "/periode", "Periode")
    await press(world, TIM, "Tutup Oktober 2026", "ditutup")
    await say(world, TIM, "/periode", "Periode")
    reopen = await press(world, TIM, "Buka Oktober 2026", "anggota akan diberi tahu")
    assert "Buka Oktober 2026 — 0 anggota akan diberi tahu" in reopen["text"]
    await press(world, TIM, "Ya, buka", "dibuka")
    assert periods(world)[OCTOBER] is PeriodStatus.OPEN and len(notices(world)) == len(UNIT_MEMBERS)


async def test_an_old_open_button_of_an_unfinished_month_is_refused(world: World):
    """A "Buka November 2026" of an older version (the current month was offered then) now leads to the check:
    November has not ended, so nothing is opened."""
    listing = await say(world, ADMIN, "/periode", "Periode")
    assert "Buka November 2026" not in labels(listing) and "Buka Triwulan IV 2026" not in labels(listing)
    await world.emu.user(ADMIN).press(listing, pack(Button.PERIOD_OPEN, 2026, 0, 11), force=True)
    refusal = await world.emu.wait_for_bot_message(ADMIN, "belum dapat dibuka")
    assert not labels(refusal)
    assert periods(world) == {} and notices(world) == []
