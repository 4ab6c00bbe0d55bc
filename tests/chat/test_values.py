"""Numbers an office can sign: each indicator admits its own values, and the soft check sees every kind of target.

Given November 2026 open and Rina of Bidang Pelayanan Perizinan (P.1 Jumlah NIB terbit in NIB, P.2 a percentage,
P.3 Rata-rata waktu penyelesaian izin in hari, lower is better), when she types a value her indicator cannot have
(a negative number of days), then it is refused with the reason and the same question is asked again, nothing
stored; when her value is far from a target range, or of the opposite sign to the target, then she is asked to
confirm it, told what it was compared with; a growth rate may be negative; and each question's example fits its
indicator ("contoh: 92" for a count).
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from models.calc.capaian import Polarity
from models.calc.clock import system_clock
from models.collection.form_filling import record_value
from models.office.organisation import Member
from models.plan.indicators import Indicator, IndicatorTarget
from models.plan.periods import find_period
from models.store.database import session_scope
from tests.chat.conftest import World, month
from tests.chat.test_questions import RINA, open_november, press, say, stored

ASK = "Ketik nilai realisasi"
FAR_OFF = "Apakah nilai ini benar?"


def prefill(world: World, values: dict[str, str]) -> None:
    """Rina's values stored before she opens the form (on or above target, so the form goes on to the next)."""
    with session_scope(world.engine) as session:
        rina = session.exec(select(Member).where(Member.telegram_user_id == RINA)).one()
        period = find_period(session, month(2026, 11))
        for code, value in values.items():
            indicator = session.exec(select(Indicator).where(Indicator.code == code)).one()
            record_value(session, rina, indicator, period, Decimal(value), now=system_clock())


def change_p2(world: World, **fields) -> None:
    """P.2 made another kind of indicator: `name`, `polarity`, and its 2026 targets (`target_*`, `annual`, `tw*`)."""
    with session_scope(world.engine) as session:
        p2 = session.exec(select(Indicator).where(Indicator.code == "P.2")).one()
        targets = session.exec(select(IndicatorTarget).where(IndicatorTarget.indicator_id == p2.id)).one()
        for name, value in fields.items():
            setattr(p2 if hasattr(Indicator, name) and name != "id" else targets, name, value)


async def start(world: World, values: dict[str, str]) -> dict:
    open_november(world.engine)
    await world.emu.wait_for_bot_message(RINA, "Formulir November 2026 dibuka")
    prefill(world, values)
    return await say(world, "/isi", ASK)


async def test_a_negative_duration_is_refused_and_asked_again(world: World):
    """-3 hari for "Rata-rata waktu penyelesaian izin" is not a capaian of 242,86%: refused, P.3 asked again."""
    question = await start(world, {"P.1": "105", "P.2": "96"})
    assert "P.3" in question["text"]
    before = stored(world.engine)
    refused = await say(world, "-3", "ditolak")
    assert refused["text"] == "'-3' ditolak: nilai tidak boleh negatif untuk satuan hari."
    again = await world.emu.wait_for_bot_message(RINA, "P.3 Rata-rata waktu penyelesaian izin")
    assert ASK in again["text"] and again["message_id"] > refused["message_id"]
    assert stored(world.engine) == before
    await say(world, "-2", "tidak boleh negatif")
    await world.emu.wait_for_bot_message(RINA, ASK)
    assert stored(world.engine) == before
    saved = await say(world, "6", "Tersimpan")
    assert saved["text"].startswith("Tersimpan: P.3 Rata-rata waktu penyelesaian izin = 6 hari.")


async def test_a_value_far_outside_a_target_range_asks_for_confirmation(world: World):
    """425 against a target of 85%–95% is not accepted at once: it is compared with the range, and named."""
    change_p2(world, name="Persentase serapan anggaran", polarity=Polarity.RANGE, target_min=Decimal(85),
              target_max=Decimal(95), annual=None, tw1=None, tw2=None, tw3=None, tw4=None)
    question = await start(world, {"P.1": "105"})
    check = await say(world, "425", FAR_OFF)
    assert "P.2" in check["text"] and "425%" in check["text"] and "rentang target 85% – 95%" in check["text"]
    assert [code for code, *_ in stored(world.engine)] == ["P.1"]
    await press(world, "Ketik ulang", ASK)
    check = await say(world, "28", FAR_OFF)  # under a third of the lower bound
    assert "rentang target 85% – 95%" in check["text"]
    await press(world, "Ketik ulang", ASK)
    saved = await say(world, "90", "Tersimpan")
    assert saved["text"].startswith("Tersimpan: P.2 Persentase serapan anggaran = 90%.")
    assert "P.2 Persentase serapan anggaran" in question["text"] and "(contoh: 85,5):" in question["text"]


async def test_a_count_asks_for_a_whole_number_with_a_whole_example(world: World):
    """P.1 is counted in NIB: its example is "92", not "85,5"; 92,5 NIB is refused (and -5 NIB)."""
    question = await start(world, {})
    assert "P.1" in question["text"] and "(contoh: 92):" in question["text"] and "85,5" not in question["text"]
    await say(world, "92,5", "terlalu banyak angka di belakang koma")  # the parser's refusal, as before
    await world.emu.wait_for_bot_message(RINA, ASK)
    await say(world, "-5", "'-5' ditolak: nilai tidak boleh negatif untuk satuan NIB.")
    await world.emu.wait_for_bot_message(RINA, ASK)
    assert stored(world.engine) == []


async def test_a_growth_rate_may_be_negative(world: World):
    """A growth rate without a target: -1,5% is stored as it is."""
    change_p2(world, name="Laju pertumbuhan investasi", annual=None, tw1=None, tw2=None, tw3=None, tw4=None)
    question = await start(world, {"P.1": "105"})
    assert "P.2 Laju pertumbuhan investasi" in question["text"] and "contoh: 5,2 atau -1,5" in question["text"]
    saved = await say(world, "-1,5", "Tersimpan")
    assert saved["text"].startswith("Tersimpan: P.2 Laju pertumbuhan investasi = -1,5%.")
    assert stored(world.engine)[-1][:2] == ("P.2", Decimal("-1.5"))


async def test_a_value_of_the_opposite_sign_to_the_target_asks_for_confirmation(world: World):
    """-50% against a growth target of 95% is within 3× in size, but of the opposite sign: asked, and named."""
    change_p2(world, name="Laju pertumbuhan investasi")
    await start(world, {"P.1": "105"})
    check = await say(world, "-50", FAR_OFF)
    assert "-50%" in check["text"] and "target (95%)" in check["text"] and "tandanya berlawanan" in check["text"]
    assert [code for code, *_ in stored(world.engine)] == ["P.1"]
    await press(world, "Ya, benar", "alasan")
    saved = await say(world, "Investasi keluar karena relokasi pabrik", "Tersimpan")
    assert saved["text"].startswith("Tersimpan: P.2 Laju pertumbuhan investasi = -50%.")
