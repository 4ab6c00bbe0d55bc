"""The sandbox tells a true story, dated from today (the injected clock): last month is open and due on the 10th
of this one, the last triwulan that ended before it is archived with its Pengukuran Kinerja ready (so
/pengukuran opens on a triwulan with data), the PK is of the right years, every demo person has their command
menu from the start, and the page and the banner start with the same person."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.config import load_settings
from bot.sandbox import banner, first_person, running_sandbox
from models.collection.form_filling import form_items
from models.collection.forms import FormStatus, UnitForm
from models.collection.workflow import form_for
from models.demo.sandbox import DEMO_PEOPLE, UNFILLED_UNIT, seed_sandbox, story_at
from models.measurement.cycle import due_measurement
from models.office.organisation import Unit
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.plan.pk import indicators_of
from models.store.database import session_scope
from tests.chat.conftest import TestClock

JAKARTA = ZoneInfo("Asia/Jakarta")
MID_MARCH = datetime(2027, 3, 15, 9, 0, tzinfo=JAKARTA)


def month(year: int, number: int) -> PeriodRef:
    return PeriodRef(PeriodKind.MONTH, year, number)


def quarter(year: int, number: int) -> PeriodRef:
    return PeriodRef(PeriodKind.QUARTER, year, number)


@pytest.mark.parametrize(("today", "open_month", "archived", "done"), [
    (date(2027, 3, 15), month(2027, 2), quarter(2026, 4), [month(2026, m) for m in (10, 11, 12)] + [month(2027, 1)]),
    (date(2026, 12, 6), month(2026, 11), quarter(2026, 3), [month(2026, m) for m in (7, 8, 9, 10)]),
    (date(2027, 1, 2), month(2026, 12), quarter(2026, 3), [month(2026, m) for m in (7, 8, 9, 10, 11)]),
    (date(2026, 5, 20), month(2026, 4), quarter(2026, 1), [month(2026, m) for m in (1, 2, 3)]),
])
def test_the_story_is_dated_from_today(today, open_month, archived, done):
    story = story_at(today)
    assert story.open_month == open_month and story.due == date(today.year, today.month, 10)
    assert story.archived == archived and list(story.done_months) == done
    assert story.years == sorted({archived.year, open_month.year})


def test_seeded_on_15_march_2027_februari_is_open_and_triwulan_iv_2026_archived(engine):
    with session_scope(engine) as session:
        opened = seed_sandbox(session, MID_MARCH)
        assert (opened.ref, opened.deadline, PeriodStatus(opened.status)) == (
            month(2027, 2), date(2027, 3, 10), PeriodStatus.OPEN)
        assert opened.ref.label("id") == "Februari 2027"
        statuses = {period.ref: PeriodStatus(period.status) for period in session.exec(select(Period))}
        archived = [quarter(2026, 4), month(2026, 10), month(2026, 11), month(2026, 12), month(2027, 1)]
        assert statuses == {**dict.fromkeys(archived, PeriodStatus.ARCHIVED), month(2027, 2): PeriodStatus.OPEN}

        # The PK of the open month's year: Perizinan's form holds its indicators, each with a target.
        unit = session.exec(select(Unit).where(Unit.name == UNFILLED_UNIT)).one()
        assert {"P.1", "P.2", "P.3"} <= {i.code for i in indicators_of(session, month(2027, 2), unit_id=unit.id)}
        items = form_items(session, form_for(session, unit.id, opened.id))
        assert all(item.target.value is not None for item in items) and all(item.current is None for item in items)
        # Three units sent theirs; the archived triwulan's measurement is what /pengukuran shows first.
        sent = session.exec(select(UnitForm).where(UnitForm.period_id == opened.id)).all()
        assert sorted(FormStatus(form.status).value for form in sent) == ["draft", "submitted", "submitted",
                                                                         "submitted"]
        due = due_measurement(session, MID_MARCH.date())
        assert due.quarter == quarter(2026, 4) and due.cycle is not None


@pytest.fixture
async def sandbox(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    clock = TestClock()
    clock.now = MID_MARCH
    async with running_sandbox(load_settings(), tmp_path / "sandbox", port=0, clock=clock) as running:
        yield running


def chat_scopes(sandbox) -> dict[int, list[str]]:
    """The commands set per private chat (setMyCommands with a chat scope), by chat id."""
    return {call.params["scope"]["chat_id"]: [c["command"] for c in call.params["commands"]]
            for call in sandbox.emulator.calls_to("setMyCommands")
            if (call.params.get("scope") or {}).get("type") == "chat"}


async def test_every_demo_persons_menu_is_set_at_start(sandbox):
    menus = chat_scopes(sandbox)
    assert set(menus) == {person.telegram_id for person in DEMO_PEOPLE}
    kepala, rina, tim = 1001, first_person().telegram_id, 1003
    assert "isi" in menus[rina] and "undang" not in menus[rina]
    assert "pengukuran" in menus[kepala] and "isi" not in menus[kepala]
    assert "pengukuran" in menus[tim]
    assert sandbox.emulator.commands_for(rina, rina)  # what the page shows in her chat's menu


async def test_the_page_opens_on_the_person_the_banner_names(sandbox):
    person = first_person()
    assert person.unit == UNFILLED_UNIT
    text = "\n".join(banner(sandbox, "id", without_token=True))
    assert person.name in text
    assert "Triwulan IV 2026 sudah diarsipkan" in text and "Februari 2027" in text and "10 Maret 2027" in text
    def people() -> dict:
        with urllib.request.urlopen(f"{sandbox.url}api/people", timeout=10) as answer:
            return json.load(answer)

    directory = await asyncio.to_thread(people)  # the page's server runs on this loop
    assert directory["start"] == person.telegram_id
    # Her chat is not empty: the open month's form waits for her.
    opened = await sandbox.emulator.wait_for_bot_message(person.telegram_id, "Februari 2027")
    assert "dibuka" in opened["text"]


async def test_pengukuran_opens_on_the_archived_triwulan(sandbox):
    emulator, tim = sandbox.emulator, 1003
    since = emulator.mark()
    await emulator.user(tim).send_text("/pengukuran")
    shown = await emulator.wait_for_bot_message(tim, "Triwulan IV 2026", since=since)
    assert "Triwulan" in shown["text"]
