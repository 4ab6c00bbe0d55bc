"""The Kepala Dinas's report of a 40-unit office is drawn while the bot goes on answering everyone else.

Given an office of 40 more units (built as `bench.recap` builds them, 5 monthly indicators each) with an open
month, when the Kepala Dinas's report is being drawn (its album of charts), then ten staff members who type /isi
meanwhile (a tenth of a second apart, the drawing held under way until they are) are all answered, none with
an error: the report's data is read in a short transaction that ends before anything is drawn, so on SQLite
(where every transaction, a read too, takes the write lock with BEGIN IMMEDIATE) no lock is held while it draws
or sends. The Kepala then
gets one album of at most ten pictures, one recap message with the buttons and the Laporan DRAF as a PDF.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlmodel import select

from bench.recap import add_units
from emulator import BotApiEmulator
from handlers.notifications import WORDINGS
from models.messaging.notices import KepalaReport
from models.messaging.outbox import enqueue
from models.office.organisation import Member, Unit
from models.plan.periods import Period, PeriodStatus
from models.store.database import session_scope
from reports import heavy
from tests.chat.conftest import DRAWING, World, has_button

KEPALA = 102
STAFF = [8_000_000 + number for number in range(101, 111)]  # ten of the synthetic units' members
ERROR = "Maaf, terjadi kesalahan"
ANSWERED_WITHIN = 10.0  # seconds: far more than an answer takes, far less than a drawing held to its end
HOLD_AT_MOST = 60.0  # a drawing is held no longer, should a test fail before letting it go


class HeldDrawing:
    """A drawing that, once begun, waits until released: whatever the machine's load, the members' answers are
    measured while it is under way (a lock held while drawing would hold them until it ends)."""

    def __init__(self, draw: Callable[[object], object]) -> None:
        self._draw = draw
        self.begun, self.released, self.done = threading.Event(), threading.Event(), threading.Event()

    def __call__(self, read: object) -> object:
        self.begun.set()
        self.released.wait(HOLD_AT_MOST)
        try:
            return self._draw(read)
        finally:
            self.done.set()


async def assert_answered_while_drawing(emu: BotApiEmulator, drawing: HeldDrawing) -> None:
    """Ten members type /isi a tenth of a second apart while a drawing is held under way: each is answered, none
    with an error, before the drawing is let go on; then it is."""
    async def isi(telegram_id: int, after: float) -> str:
        await asyncio.sleep(after)
        await emu.user(telegram_id).send_text("/isi")
        reply = await emu.wait_for_bot_message(telegram_id, timeout=ANSWERED_WITHIN)
        return reply.get("text") or ""

    assert await asyncio.to_thread(drawing.begun.wait, DRAWING)
    try:
        answers = await asyncio.gather(*(isi(telegram_id, index / 10) for index, telegram_id in enumerate(STAFF)))
        assert not drawing.done.is_set()
    finally:
        drawing.released.set()
    assert not [text for text in answers if ERROR in text]


async def test_ten_members_are_answered_while_a_40_unit_report_is_drawn(world: World, monkeypatch):
    if world.engine.dialect.name != "sqlite":
        pytest.skip("about SQLite's write lock (PostgreSQL's readers take none); the report's shape is checked "
                    "on both in test_full_cycle")
    emu = world.emu
    with session_scope(world.engine) as session:
        office = session.exec(select(Unit).where(Unit.parent_id == None)).one()  # noqa: E711  (SQL)
        add_units(session, office, units=40, per_unit=5, months=2, seed=2026, first=101)
        period = session.exec(select(Period).where(Period.status == PeriodStatus.OPEN)).one()
        kepala = session.exec(select(Member).where(Member.telegram_user_id == KEPALA)).one()
    for telegram_id in STAFF:
        emu.user(telegram_id, f"Staf {telegram_id}")

    wording = WORDINGS[KepalaReport]
    drawing = HeldDrawing(wording.draw)
    monkeypatch.setitem(WORDINGS, KepalaReport, replace(wording, draw=drawing))
    # The drawing layers loaded, as in a bot that has drawn before: this is about the write lock while drawing,
    # not about a process's first use of matplotlib and fpdf2 (`reports.heavy`), which costs it once.
    assert all(map(callable, await asyncio.to_thread(lambda: (heavy.draw_album, heavy.render_laporan))))
    with session_scope(world.engine) as session:
        enqueue(session, kepala.id, KepalaReport(period.id), f"kepala_report:{period.id}:{kepala.id}")
    world.application.bot_data.wake()
    await assert_answered_while_drawing(emu, drawing)

    caption = await emu.wait_for_bot_message(KEPALA, lambda m: "photo" in m, timeout=DRAWING)
    album = [m for m in emu.sent_by_bot(KEPALA) if m.get("media_group_id") == caption["media_group_id"]]
    assert 5 <= len(album) <= 10
    recap = await emu.wait_for_bot_message(KEPALA, lambda m: "Rekap capaian" in (m.get("text") or ""))
    assert len(recap["text"]) <= 1500 and has_button(recap, "✅ Setuju") and has_button(recap, "🏢 Rincian per unit")
    await emu.wait_for_bot_message(KEPALA, lambda m: "document" in m, timeout=4 * DRAWING)
    assert len(emu.sent_by_bot(KEPALA)) == len(album) + 2  # the album, the recap, the PDF: nothing else
