"""The form of a period asks the indicators of that year's Perjanjian Kinerja only.

Given the demo office (its 2026 PK) and a 2027 PK without P.2 (Persentase perizinan selesai tepat waktu), when
January 2027 is open and Rina, who has entered P.1, types /isi, then she is asked P.3: P.2 left the 2027 PK, so
her 2027 form has no P.2 "belum terisi"; and a value for P.2 in 2027 is refused.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from models.calc.clock import system_clock
from models.collection.form_filling import record_value
from models.collection.opening import open_period
from models.demo import DEMO_PK
from models.errors import ErrorCode, WorkflowError
from models.exchange.pk_import import import_pk
from models.office.audit import Actor
from models.office.organisation import Member
from models.plan.indicators import Indicator
from models.plan.periods import find_period
from models.store.database import session_scope
from tests.chat.conftest import World, month
from tests.chat.test_questions import ADMIN, RINA, say

ASK = "Ketik nilai realisasi"


def pk_2027_without_p2(folder: Path) -> Path:
    """The demo PK as the 2027 PK, P.2 left out."""
    lines = DEMO_PK.read_text(encoding="utf-8").splitlines()
    kept = [lines[0], *(row.replace(";2026;", ";2027;") for row in lines[1:] if not row.startswith("P.2;"))]
    assert len(kept) == len(lines) - 1
    path = folder / "pk2027.csv"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


async def test_isi_in_2027_does_not_ask_an_indicator_dropped_from_the_2027_pk(world: World, tmp_path: Path):
    with session_scope(world.engine) as session:
        import_pk(session, pk_2027_without_p2(tmp_path), Actor.cli())
        admin = session.exec(select(Member).where(Member.telegram_user_id == ADMIN)).one()
        open_period(session, admin, month(2027, 1), date(2027, 2, 10), now=system_clock())
    await world.emu.wait_for_bot_message(RINA, "Formulir Januari 2027 dibuka")
    with session_scope(world.engine) as session:
        rina = session.exec(select(Member).where(Member.telegram_user_id == RINA)).one()
        january = find_period(session, month(2027, 1))
        p1, p2 = (session.exec(select(Indicator).where(Indicator.code == code)).one() for code in ("P.1", "P.2"))
        record_value(session, rina, p1, january, Decimal(105), now=system_clock())
        with pytest.raises(WorkflowError) as refused:
            record_value(session, rina, p2, january, Decimal(96), now=system_clock())
        assert refused.value.code is ErrorCode.NOT_FOUND

    question = await say(world, "/isi", ASK)

    assert "P.3" in question["text"] and "P.2" not in question["text"]
