"""Form filling in the domain: what is pending, what staff see before typing, and the soft check."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from handlers.fill.views import summary
from models.calc.capaian import Polarity, Target
from models.calc.clock import system_clock
from models.calc.numbers import InvalidNumber, NumberCode
from models.collection.form_filling import (
    context_for,
    far_off_reasons,
    fillable_periods,
    first_pending,
    form_items,
    is_far_off,
    is_far_off_range,
    record_note,
    record_value,
    year_paths,
)
from models.collection.forms import FormStatus
from models.collection.review import approve_unit_form, return_unit_form, submit_unit_form
from models.collection.workflow import form_for
from models.demo import DEMO_PK
from models.errors import WorkflowError
from models.exchange.pk_import import import_pk
from models.office.audit import Actor
from models.office.invites import accept_invite, create_invite
from models.office.organisation import Member, Role, Unit
from models.plan.indicators import Indicator, ValueKind, admissible_problem, check_admissible, value_kind
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.store.database import session_scope

PERIZINAN = "Bidang Pelayanan Perizinan"


@pytest.fixture
def office(engine):
    """The demo PK, a staf of Pelayanan Perizinan and a Sekretaris, and January and February 2026."""
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
        units = {u.name: u for u in session.exec(select(Unit))}
        for telegram_id, role, unit in ((130, Role.STAF, PERIZINAN), (103, Role.SEKRETARIS, "Sekretariat")):
            _, token = create_invite(session, role, units[unit], Actor.cli(), now=system_clock())
            accept_invite(session, token, telegram_id, f"member {telegram_id}", "id", now=system_clock())
        for number in (1, 2):
            session.add(Period(kind=PeriodKind.MONTH, year=2026, number=number, status=PeriodStatus.OPEN))
    return engine


def member(session, telegram_id: int) -> Member:
    return session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()


def month(session, number: int) -> Period:
    return session.exec(select(Period).where(Period.kind == PeriodKind.MONTH, Period.number == number)).one()


def indicator(session, code: str) -> Indicator:
    return session.exec(select(Indicator).where(Indicator.code == code)).one()


def filled_and_sent(session, staf: Member, period: Period):
    """Every item of the unit on target, and the form sent to the Sekretaris."""
    for code, value in (("P.1", 100), ("P.2", 95), ("P.3", 7)):
        record_value(session, staf, indicator(session, code), period, Decimal(value), now=system_clock())
    form = form_for(session, staf.unit_id, period.id)
    submit_unit_form(session, staf, form.id, form.version, now=system_clock())
    return form


def test_the_walk_asks_values_then_kendala_and_tindak_lanjut_below_target(office):
    """Given the unit's January form, the first pending item is P.1 without a value; a value below target makes
    the item pending again until kendala and tindak lanjut are given."""
    with session_scope(office) as session:
        staf, january = member(session, 130), month(session, 1)
        form = form_for(session, staf.unit_id, january.id)
        assert [item.indicator.code for item in form_items(session, form)] == ["P.1", "P.2", "P.3"]
        assert first_pending(form_items(session, form)).indicator.code == "P.1"

        record_value(session, staf, indicator(session, "P.1"), january, Decimal(80),
                     now=system_clock())  # target 100 → below
        item = first_pending(form_items(session, form))
        assert (item.indicator.code, item.needs_kendala, item.needs_tindak_lanjut) == ("P.1", True, True)
        record_note(session, staf, indicator(session, "P.1"), january, "kendala", "Server OSS gangguan",
                    now=system_clock())
        record_note(session, staf, indicator(session, "P.1"), january, "tindak_lanjut", "Lapor ke pusat",
                    now=system_clock())
        assert first_pending(form_items(session, form)).indicator.code == "P.2"


def test_what_staff_see_before_typing(office):
    """Given January's P.1 is 105, when February is asked, then last period is 105 and the year so far too."""
    with session_scope(office) as session:
        staf = member(session, 130)
        p1 = indicator(session, "P.1")
        record_value(session, staf, p1, month(session, 1), Decimal(105), now=system_clock())
        context = context_for(session, p1, month(session, 2))
        assert context.target.value == Decimal(100)  # TW I 300 ÷ 3, cumulative
        assert context.annual.value == Decimal(1200)
        assert (context.previous, context.previous_ref) == (Decimal(105), PeriodRef(PeriodKind.MONTH, 2026, 1))
        assert context.year_to_date == Decimal(105)
        path = context.year_path  # January's 105 against January's 100, and 8,75% of the year's 1.200
        assert (path.path.rounded, path.annual.rounded, round(path.share, 2)) == (Decimal("105.00"),
                                                                                   Decimal("8.75"), Decimal("8.33"))
        assert context_for(session, p1, month(session, 1)).year_path is None  # nothing before January


def test_the_summary_judges_the_year_so_far_against_its_path(office):
    """Given P.1 (100 a month on its path to 1.200) at 105 in January and 95 in February, when February's summary
    is shown, then the year so far is 16,67% of the year and exactly its path: green, not red."""
    with session_scope(office) as session:
        staf = member(session, 130)
        p1 = indicator(session, "P.1")
        record_value(session, staf, p1, month(session, 1), Decimal(105), now=system_clock())
        record_value(session, staf, p1, month(session, 2), Decimal(95), now=system_clock())
        february = month(session, 2)
        form = form_for(session, staf.unit_id, february.id)
        items = form_items(session, form)
        paths = year_paths(session, february, items)
        assert set(paths) == {p1.id}  # P.2 and P.3 have no value yet: no line
        assert (paths[p1.id].realisasi, paths[p1.id].path.rounded) == (Decimal(200), Decimal("100.00"))
        text = "\n".join(summary(form, february, "Perizinan", items, "id", editable=True, paths=paths).blocks)
    assert "Capaian tahunan s.d. Februari 2026: 16,67% dari target setahun (sesuai jalur: 16,67%) 🟢" in text


@pytest.mark.parametrize(("value", "reference", "far"), [
    (Decimal(301), Decimal(100), True), (Decimal(300), Decimal(100), False), (Decimal(34), Decimal(100), False),
    (Decimal(33), Decimal(100), True), (Decimal(0), Decimal(100), True), (Decimal(5), None, False),
    (Decimal(5), Decimal(0), False),
])
def test_the_soft_check_flags_values_over_three_times_or_under_a_third(value, reference, far):
    assert is_far_off(value, reference) is far


@pytest.mark.parametrize(("value", "reference"), [
    (Decimal(-3), Decimal(7)), (Decimal(-2), Decimal(7)), (Decimal(5), Decimal(-4)), (Decimal("-0.5"), Decimal(1)),
])
def test_a_value_of_the_opposite_sign_is_far_off(value, reference):
    assert is_far_off(value, reference) is True
    assert is_far_off(Decimal(0), reference) is True  # under a third, as before


@pytest.mark.parametrize(("value", "lower", "upper", "far"), [
    (Decimal(425), Decimal(85), Decimal(95), True), (Decimal(475), Decimal(85), Decimal(95), True),
    (Decimal(285), Decimal(85), Decimal(95), False), (Decimal(286), Decimal(85), Decimal(95), True),
    (Decimal(29), Decimal(85), Decimal(95), False), (Decimal(28), Decimal(85), Decimal(95), True),
    (Decimal(-5), Decimal(85), Decimal(95), True), (Decimal(90), Decimal(85), Decimal(95), False),
    (Decimal(1000), Decimal(85), None, False), (Decimal(1000), None, Decimal(95), True),
    (Decimal(1), Decimal(-5), Decimal(-1), True), (Decimal(-3), Decimal(-5), Decimal(-1), False),
    (Decimal(1000), None, None, False),
])
def test_a_range_is_far_off_over_three_times_its_upper_or_under_a_third_of_its_lower(value, lower, upper, far):
    assert is_far_off_range(value, lower, upper) is far


def test_a_range_target_is_checked_against_its_bounds(office):
    """A range (85–95%, `Target.value` None) is compared with its bounds: 425 asks, 90 does not."""
    with session_scope(office) as session:
        p2 = indicator(session, "P.2")
        context = context_for(session, p2, month(session, 2))
        context.target = Target(value=Decimal(95), lower=Decimal(85), upper=Decimal(95))
        assert far_off_reasons(Decimal(425), context) == ["target"]  # not a range: its value
        context.polarity = Polarity.RANGE
        assert far_off_reasons(Decimal(425), context) == ["range"]
        assert far_off_reasons(Decimal(90), context) == []


def _indicator(satuan: str, name: str = "Indikator", decimals: int = 2) -> Indicator:
    return Indicator(code="X.1", name=name, satuan=satuan, decimals=decimals)


@pytest.mark.parametrize(("satuan", "name", "decimals", "kind"), [
    ("NIB", "Jumlah NIB terbit", 0, ValueKind.COUNT), ("izin", "Izin terbit", 2, ValueKind.COUNT),
    ("Dokumen", "Dokumen", 2, ValueKind.COUNT), ("orang", "Peserta", 2, ValueKind.COUNT),
    ("kegiatan", "Sosialisasi", 2, ValueKind.COUNT), ("laporan", "Laporan", 2, ValueKind.COUNT),
    ("kali", "Rapat", 2, ValueKind.COUNT), ("paket", "Pengadaan", 0, ValueKind.COUNT),
    ("indeks", "Indeks kepuasan", 0, ValueKind.COUNT), ("indeks", "Indeks kepuasan", 2, ValueKind.OTHER),
    ("Rp", "Realisasi PAD", 2, ValueKind.MONEY), ("rupiah", "Nilai investasi", 0, ValueKind.MONEY),
    ("hari", "Rata-rata waktu penyelesaian izin", 2, ValueKind.DURATION),
    ("hari kerja", "Waktu layanan", 0, ValueKind.DURATION), ("jam", "Waktu tanggap", 2, ValueKind.DURATION),
    ("menit", "Antrean", 2, ValueKind.DURATION), ("bulan", "Masa", 0, ValueKind.DURATION),
    ("%", "Persentase serapan anggaran", 2, ValueKind.PERCENT), ("persen", "Serapan", 0, ValueKind.PERCENT),
    ("%", "Laju pertumbuhan investasi", 2, ValueKind.GROWTH), ("%", "Pertumbuhan PMDN", 2, ValueKind.GROWTH),
    ("persen pertumbuhan", "Investasi", 2, ValueKind.GROWTH), ("%", "Investment growth", 2, ValueKind.GROWTH),
    ("nilai", "Nilai SAKIP", 2, ValueKind.OTHER),
])
def test_each_indicator_knows_its_kind_of_value_from_its_satuan(satuan, name, decimals, kind):
    assert value_kind(_indicator(satuan, name, decimals)) is kind


@pytest.mark.parametrize(("satuan", "name", "decimals", "value", "problem"), [
    ("hari", "Rata-rata waktu penyelesaian izin", 2, "-3", NumberCode.NEGATIVE),
    ("hari", "Rata-rata waktu penyelesaian izin", 2, "6.5", None),
    ("hari", "Rata-rata waktu penyelesaian izin", 2, "0", None),
    ("jam", "Waktu tanggap", 2, "-0.5", NumberCode.NEGATIVE),
    ("NIB", "Jumlah NIB terbit", 0, "-1", NumberCode.NEGATIVE),
    ("NIB", "Jumlah NIB terbit", 0, "92.5", NumberCode.NOT_WHOLE),
    ("NIB", "Jumlah NIB terbit", 0, "92", None),
    ("NIB", "Jumlah NIB terbit", 0, "92.00", None),
    ("Rp", "Realisasi PAD", 2, "1250000.50", NumberCode.NOT_WHOLE),
    ("Rp", "Realisasi PAD", 2, "-1250000", NumberCode.NEGATIVE),
    ("Rp", "Realisasi PAD", 2, "1250000", None),
    ("%", "Persentase serapan anggaran", 2, "-1", NumberCode.NEGATIVE),
    ("%", "Persentase serapan anggaran", 2, "425", None),  # no cap at 100: the PK does not say so
    ("%", "Persentase serapan anggaran", 2, "85.5", None),
    ("%", "Laju pertumbuhan investasi", 2, "-1.5", None),
    ("nilai", "Nilai SAKIP", 2, "-2.25", None),
])
def test_an_inadmissible_value_is_refused_with_its_reason(satuan, name, decimals, value, problem):
    ind = _indicator(satuan, name, decimals)
    assert admissible_problem(Decimal(value), ind) is problem
    if problem is None:
        check_admissible(Decimal(value), ind)
        return
    with pytest.raises(InvalidNumber) as refused:
        check_admissible(Decimal(value), ind)
    assert refused.value.code is problem and refused.value.details == {"satuan": satuan}


def test_a_negative_duration_is_refused_at_the_domain_door(office):
    """record_value refuses what the chat refuses: nothing is stored."""
    with session_scope(office) as session:
        staf, p3 = member(session, 130), indicator(session, "P.3")
        with pytest.raises(InvalidNumber) as refused:
            record_value(session, staf, p3, month(session, 1), Decimal(-3), now=system_clock())
        assert refused.value.code is NumberCode.NEGATIVE
        items = form_items(session, form_for(session, staf.unit_id, month(session, 1).id))
        assert next(item for item in items if item.indicator.code == "P.3").current is None


def test_a_far_off_value_names_what_it_is_far_from(office):
    with session_scope(office) as session:
        staf, p1 = member(session, 130), indicator(session, "P.1")
        record_value(session, staf, p1, month(session, 1), Decimal(100), now=system_clock())
        assert far_off_reasons(Decimal(400), context_for(session, p1, month(session, 2))) == ["previous", "target"]
        assert far_off_reasons(Decimal(110), context_for(session, p1, month(session, 2))) == []


def test_staff_of_another_unit_cannot_enter_values(office):
    """Given a staf of Pelayanan Perizinan, when they enter a value for Penanaman Modal's S.1, then refused."""
    with session_scope(office) as session:
        with pytest.raises(WorkflowError) as refused:
            record_value(session, member(session, 130), indicator(session, "S.1"), month(session, 1), Decimal(5),
                         now=system_clock())
        assert refused.value.code == "forbidden"


def test_a_returned_form_of_a_closed_period_can_still_be_completed(office):
    """Given January's form was returned and January then closed, /isi still offers January (and February)."""
    with session_scope(office) as session:
        staf, sekretaris, january = member(session, 130), member(session, 103), month(session, 1)
        form = filled_and_sent(session, staf, january)
        return_unit_form(session, sekretaris, form.id, form.version, [indicator(session, "P.2").id], "Cek lagi",
                         now=system_clock())
        january.status = PeriodStatus.CLOSED
        session.add(january)
        session.flush()
        assert [p.number for p in fillable_periods(session, staf.unit_id)] == [1, 2]
        items = form_items(session, form)
        assert [item.indicator.code for item in items if item.pending] == ["P.2"]


def test_an_approved_form_refuses_changes(office):
    with session_scope(office) as session:
        staf, sekretaris, january = member(session, 130), member(session, 103), month(session, 1)
        form = filled_and_sent(session, staf, january)
        approve_unit_form(session, sekretaris, form.id, form.version, now=system_clock())
        assert FormStatus(form.status) is FormStatus.APPROVED
        with pytest.raises(WorkflowError) as refused:
            record_value(session, staf, indicator(session, "P.1"), january, Decimal(101), now=system_clock())
        assert refused.value.code == "form_approved"
