""""Setuju" can be undone for a few minutes before the period is archived (AGREE_UNDO_MINUTES, 10 by default).

Given October 2026 reported to the Kepala Dinas, when the Kepala Dinas presses "Setuju", then the card offers
"↩️ Batalkan" and the period is not archived yet; pressed within the window, the agreement is taken back and the
disposition buttons come back; once the window has passed, the scheduler archives the period (in quiet hours too),
everyone involved is told, the Tim SAKIP gets the filed Laporan, and "Batalkan" is refused.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from handlers.callbacks import Button, pack
from models.collection.forms import Disposition
from models.plan.periods import Period, PeriodStatus
from models.reporting.archive import Procedure, archived_document
from tests.chat.conftest import DRAWING, World
from tests.chat.test_admin import labels
from tests.chat.test_arahan_follow_up import reported_october
from tests.chat.test_bound_answers import press, press_data

KEPALA, SEKRETARIS, TIM, PERIZINAN = 102, 103, 104, 130


def status(world: World, period_id: int) -> PeriodStatus:
    with world.session() as session:
        return PeriodStatus(session.get(Period, period_id).status)


def dispositions(world: World) -> list[Disposition]:
    with world.session() as session:
        return list(session.exec(select(Disposition)))


async def test_setuju_undone_within_the_window_is_not_archived_and_archived_after_it(world: World):
    period_id = reported_october(world)
    agreed = await press_data(world, KEPALA, pack(Button.KEPALA_AGREE, period_id), "masih dapat membatalkan")
    assert labels(agreed) == ["↩️ Batalkan"]
    assert status(world, period_id) is PeriodStatus.OPEN and len(dispositions(world)) == 1

    # Within the window: taken back, the disposition buttons are back, nothing is archived or announced.
    world.clock.now += timedelta(minutes=5)
    undone = await press(world, KEPALA, "↩️ Batalkan", "dibatalkan")
    assert {"✅ Setuju", "📝 Beri arahan"} <= set(labels(undone))
    assert dispositions(world) == []
    world.clock.now += timedelta(minutes=10)
    await world.run_scheduled_work()
    assert status(world, period_id) is PeriodStatus.OPEN
    assert not [m for m in world.emu.sent_by_bot(PERIZINAN) if "Disposisi Kepala Dinas" in (m.get("text") or "")]

    # Agreed again and left: archived once the window has passed (the scheduler's work, in quiet hours too).
    await press(world, KEPALA, "✅ Setuju", "masih dapat membatalkan")
    world.clock.now += timedelta(minutes=9)
    await world.run_scheduled_work()
    assert status(world, period_id) is PeriodStatus.OPEN
    world.clock.now += timedelta(minutes=2)
    await world.run_scheduled_work()
    assert status(world, period_id) is PeriodStatus.ARCHIVED
    for user_id in (PERIZINAN, SEKRETARIS):
        await world.emu.wait_for_bot_message(user_id, "Kepala Dinas menyetujui laporan Oktober 2026")
    laporan = await world.emu.wait_for_bot_message(TIM, lambda m: "document" in m, timeout=DRAWING)
    assert laporan["document"]["file_name"] == "laporan-2026-10.pdf"
    with world.session() as session:
        assert archived_document(session, "2026-10", Procedure.COLLECTION) is not None  # the filed Laporan

    # Too late now: refused, still archived, the disposition kept.
    await press(world, KEPALA, "↩️ Batalkan", "Waktu pembatalan sudah lewat")
    assert status(world, period_id) is PeriodStatus.ARCHIVED and len(dispositions(world)) == 1
