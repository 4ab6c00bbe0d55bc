"""Realisasi anggaran entered in chat like any indicator (issue 18).

Given the demo PK with a pagu of Rp1.250.000.000 on P.1 and November 2026 open, when Sari of the Sekretariat
types /isi, then her form asks for "Realisasi anggaran P.1 …" in Rupiah, and the amount she types, the Indonesian
way, is stored as the budget line's realisasi of the month (the LKjIP reads it; `tests/test_lkjip.py`).
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from models.collection.realisasi import Realisasi
from models.demo import DEMO_PK
from models.exchange.pk_import import import_pk
from models.office.audit import Actor
from models.plan.indicators import Indicator
from models.store.database import session_scope
from tests.chat.conftest import World
from tests.chat.test_questions import open_november

SARI = 110
ASK = "Ketik nilai realisasi"


def with_pagu_on_p1(world: World, tmp_path) -> None:
    """The demo PK again, P.1's row with its pagu."""
    lines = DEMO_PK.read_text(encoding="utf-8").splitlines()
    lines = [line + "1.250.000.000" if line.startswith("P.1;") else line for line in lines]
    path = tmp_path / "pk-pagu.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with session_scope(world.engine) as session:
        summary = import_pk(session, path, Actor.cli())
    assert [line.code for line in summary.added] == ["ANG.P.1"]


async def test_the_sekretariat_enters_the_realisasi_anggaran_of_a_program_in_its_form(world: World, tmp_path):
    with_pagu_on_p1(world, tmp_path)
    open_november(world.engine)
    await world.emu.wait_for_bot_message(SARI, "Formulir November 2026 dibuka")
    since = world.emu.mark()
    await world.emu.user(SARI).send_text("/isi")
    question = await world.emu.wait_for_bot_message(SARI, ASK, since=since)
    assert "ANG.P.1 Realisasi anggaran P.1 Jumlah NIB terbit" in question["text"]
    since = world.emu.mark()
    await world.emu.user(SARI).send_text("125.000.000")
    saved = await world.emu.wait_for_bot_message(SARI, "Tersimpan", since=since)
    assert saved["text"].startswith("Tersimpan: ANG.P.1 Realisasi anggaran P.1 Jumlah NIB terbit = ")
    assert "125.000.000" in saved["text"]
    with session_scope(world.engine) as session:
        values = session.exec(select(Indicator.code, Realisasi.value)
                              .join(Realisasi, Realisasi.indicator_id == Indicator.id)).all()
    assert values == [("ANG.P.1", Decimal(125_000_000))]
