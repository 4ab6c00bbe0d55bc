"""Recap benchmark: the recap of a month, a triwulan and a year, and the recap's charts, at regency scale.

    .venv/bin/python -m bench.recap [--units 40] [--indicators 30] [--months 12] [--repeat 3] [--profile]

A fresh SQLite database in a temporary folder is migrated and filled with synthetic data from a seeded
`random.Random`: the office and `--units` units, each with a member and `--indicators` active monthly indicators
(a sasaran IKU, programs under it, kegiatan and sub kegiatan under those; positive, negative and range
polarities; kumulatif, nilai_akhir and rata_rata aggregations) with annual and triwulan targets, and for
`--months` months of 2026 a period, each unit's form and a realisasi for every indicator (some with an earlier
revision; kendala and tindak lanjut where below target), written as the chat would leave them.

Each step runs `--repeat` times for its wall time (the median) and the growth of the process's peak RSS, then
once more under `tracemalloc` for its peak of Python allocations, beside a baseline measured in the same run:
one empty 1280 px figure rendered to PNG the way the charts render (`reports/chart_style.py`: a `Figure` on an Agg
canvas).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sqlmodel import Session

from handlers.drawn import LaterDocumentPart, parts_later
from handlers.kepala.notices import KepalaReportRead, draw_kepala_report, kepala_report
from handlers.render import telegram_length
from models.calc.capaian import Aggregation, NegativeFormula, Polarity, Target, compute_capaian, month_target
from models.collection.forms import FormStatus, Review, ReviewDecision, ReviewItem, UnitForm
from models.collection.progress import period_progress
from models.collection.realisasi import EntrySource, Realisasi
from models.collection.recap import compute_recap
from models.messaging.notices import KepalaReport
from models.office.organisation import Member, MemberRole, Role, Unit, UnitKind
from models.plan.indicators import Frequency, Indicator, IndicatorKind, IndicatorLevel, IndicatorTarget
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus, default_deadline, find_period
from models.plan.targets import load_plans
from models.store.database import create_db_engine, session_scope
from models.store.migrating import migrate
from models.timing.schedule import ScheduleRules
from reports.charts import (
    DPI,
    WIDTH_PX,
    Rendered,
    bars_from_recap,
    capaian_pages,
    completeness_chart,
    progress_bars,
    trend_chart,
    trend_from_plan,
)
from reports.letterhead import Letterhead
from reports.recap_album import draw_album

YEAR = 2026
JAKARTA = ZoneInfo("Asia/Jakarta")
# the states of the last month's forms, drawn with the weights 10/20/10/60 (a kabid's step is not benchmarked)
SHOWN_STATUSES = [FormStatus.DRAFT, FormStatus.SUBMITTED, FormStatus.RETURNED, FormStatus.APPROVED]
BASELINE_HEIGHT_PX = 720
PREFIX = {IndicatorLevel.TUJUAN: "T", IndicatorLevel.SASARAN: "S", IndicatorLevel.PROGRAM: "P",
          IndicatorLevel.KEGIATAN: "K", IndicatorLevel.SUBKEGIATAN: "SK"}
TOPICS = ("Pelayanan Perizinan", "Penanaman Modal", "Pengaduan dan Pelaporan Layanan", "Data dan Sistem Informasi",
          "Promosi dan Kerja Sama Investasi", "Pengendalian Pelaksanaan Penanaman Modal", "Perencanaan dan Keuangan",
          "Umum dan Kepegawaian")
THINGS = ("perizinan berusaha", "pengaduan masyarakat", "laporan kegiatan penanaman modal", "dokumen perencanaan",
          "layanan non perizinan", "pelaku usaha mikro dan kecil", "rekomendasi teknis", "survei kepuasan masyarakat",
          "sosialisasi kebijakan", "data investasi daerah")


# -- the synthetic office ---------------------------------------------------------------------------------------
@dataclass
class World:
    units: int = 0
    indicators: int = 0
    realisasi: int = 0  # current values
    revisions: int = 0  # earlier revisions under them
    iku: list[int] = field(default_factory=list)  # sasaran IKU, for the trend charts
    last_month: int = 12


def _rule(rng: random.Random, level: IndicatorLevel) -> tuple[Polarity, Aggregation, NegativeFormula]:
    if level is IndicatorLevel.SASARAN:
        aggregation = rng.choice((Aggregation.CUMULATIVE, Aggregation.LAST_VALUE))
        return Polarity.POSITIVE, aggregation, NegativeFormula.TWO_T_MINUS_R
    polarity = rng.choices(list(Polarity), (70, 20, 10))[0]
    if polarity is Polarity.RANGE:
        return polarity, rng.choice((Aggregation.LAST_VALUE, Aggregation.AVERAGE)), NegativeFormula.TWO_T_MINUS_R
    aggregation = rng.choices(list(Aggregation), (40, 35, 25))[0]
    formula = rng.choices(list(NegativeFormula), (70, 30))[0]
    return polarity, aggregation, formula


def _targets(rng: random.Random, polarity: Polarity, aggregation: Aggregation) -> tuple[str, int, dict]:
    """Satuan, decimals and the IndicatorTarget columns of a plausible PK line."""
    if polarity is Polarity.RANGE:
        low = Decimal(rng.randint(70, 88))
        return "%", 2, {"target_min": low, "target_max": low + 10}
    if polarity is Polarity.NEGATIVE:
        days = Decimal(rng.randint(3, 14))
        quarters = [days] * 4 if aggregation is not Aggregation.CUMULATIVE else [days * 3] * 4
        return "hari", 1, {"annual": sum(quarters) if aggregation is Aggregation.CUMULATIVE else days,
                           **{f"tw{q}": value for q, value in enumerate(quarters, start=1)}}
    if aggregation is Aggregation.CUMULATIVE:
        base = rng.choice((Decimal(rng.randint(5, 300)), Decimal(rng.randint(1, 90)) * 10**9))
        quarters = [base * Decimal(factor) for factor in ("0.8", "1", "1", "1.2")]
        return ("Rp" if base >= 10**9 else "dokumen"), 0, {
            "annual": sum(quarters), **{f"tw{q}": value for q, value in enumerate(quarters, start=1)}}
    annual = Decimal(rng.randint(75, 100))
    steps = ("0.85", "0.9", "0.95", "1") if aggregation is Aggregation.LAST_VALUE else ("1",) * 4
    return "%", 2, {"annual": annual, **{f"tw{q}": (annual * Decimal(s)).quantize(Decimal("0.01"))
                                         for q, s in enumerate(steps, start=1)}}


def _shape(per_unit: int) -> list[IndicatorLevel]:
    """One sasaran, a sixth programs, the rest kegiatan with every third a sub kegiatan."""
    programs = max(1, per_unit // 6) if per_unit > 1 else 0
    rest = per_unit - 1 - programs
    levels = [IndicatorLevel.SASARAN] + [IndicatorLevel.PROGRAM] * programs
    return levels + [IndicatorLevel.SUBKEGIATAN if i % 3 == 2 else IndicatorLevel.KEGIATAN for i in range(rest)]


def _add_indicators(session: Session, rng: random.Random, unit: Unit, number: int, per_unit: int) -> list[Indicator]:
    added: list[Indicator] = []
    parents: dict[IndicatorLevel, list[Indicator]] = {level: [] for level in IndicatorLevel}
    above = {IndicatorLevel.PROGRAM: IndicatorLevel.SASARAN, IndicatorLevel.KEGIATAN: IndicatorLevel.PROGRAM,
             IndicatorLevel.SUBKEGIATAN: IndicatorLevel.KEGIATAN}
    for index, level in enumerate(_shape(per_unit)):
        polarity, aggregation, formula = _rule(rng, level)
        satuan, decimals, target = _targets(rng, polarity, aggregation)
        parent = parents[above[level]][-1] if level in above else None
        code = f"{PREFIX[level]}.{number}" + (f".{index}" if parent else "")
        words = {"hari": "Rata-rata waktu penyelesaian", "Rp": "Nilai", "dokumen": "Jumlah"}.get(
            satuan, rng.choice(("Persentase", "Tingkat ketepatan")))
        name = f"{words} {rng.choice(THINGS)} {unit.name.split(' ', 1)[-1].lower()}" + rng.choice(
            ("", " yang diselesaikan tepat waktu sesuai standar pelayanan", " yang ditindaklanjuti"))
        kind = IndicatorKind.IKU if level is IndicatorLevel.SASARAN or index == 1 else rng.choice(
            (IndicatorKind.IKK, IndicatorKind.OTHER))
        indicator = Indicator(code=code, name=name, level=level, parent_id=parent.id if parent else None, kind=kind,
                              satuan=satuan, polarity=polarity, negative_formula=formula, aggregation=aggregation,
                              decimals=decimals, unit_id=unit.id, frequency=Frequency.MONTHLY, active=True)
        session.add(indicator)
        session.flush()
        session.add(IndicatorTarget(indicator_id=indicator.id, year=YEAR, **target))
        parents[level].append(indicator)
        added.append(indicator)
    return added


def _value(rng: random.Random, target: Target, polarity: Polarity, decimals: int) -> Decimal:
    """Most values near the target, some well below it, a few far off (every band of the charts shows)."""
    draw = rng.random()
    mean, spread = (1.03, 0.08) if draw < 0.7 else (0.8, 0.1) if draw < 0.9 else (0.5, 0.2)
    factor = max(0.05, rng.gauss(mean, spread))
    if polarity is Polarity.RANGE:
        raw = (target.lower + target.upper) / 2 * Decimal(str(round(min(factor, 1.3), 4)))
    elif polarity is Polarity.NEGATIVE:  # lower is better
        raw = (target.value or Decimal(1)) / Decimal(str(round(factor, 4)))
    else:
        raw = (target.value or Decimal(1)) * Decimal(str(round(factor, 4)))
    return raw.quantize(Decimal(1).scaleb(-decimals))


def build_world(engine: sa.Engine, units: int, per_unit: int, months: int, seed: int) -> World:
    """The office, its units, members, indicators and targets, and `months` months of filled forms."""
    migrate(engine)
    with session_scope(engine) as session:
        office = Unit(name="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", kind=UnitKind.OFFICE)
        session.add(office)
        session.flush()
        return add_units(session, office, units, per_unit, months, seed)


def add_units(session: Session, office: Unit, units: int, per_unit: int, months: int, seed: int,
              first: int = 1) -> World:
    """`units` units under `office` (numbered from `first`: their codes and names too, so an office that has
    units already takes more), a staff member each (Telegram id 8 000 000 + number), their indicators and
    targets, and `months` months of 2026: a period each (the last open) and every unit's form filled."""
    rng = random.Random(seed)
    world = World(units=units, last_month=months)
    indicators: list[tuple[Indicator, Member]] = []
    for number in range(first, first + units):
        topic = TOPICS[(number - 1) % len(TOPICS)]
        name = "Sekretariat" if number == 1 else f"Bidang {topic} {number}"
        unit = Unit(name=name, kind=UnitKind.SEKRETARIAT if number == 1 else UnitKind.BIDANG,
                    parent_id=office.id)
        session.add(unit)
        session.flush()
        member = Member(telegram_user_id=8_000_000 + number, name=f"Staf {number}", unit_id=unit.id)
        session.add(member)
        session.flush()
        session.add(MemberRole(member_id=member.id, role=Role.STAF))
        for indicator in _add_indicators(session, rng, unit, number, per_unit):
            indicators.append((indicator, member))
            if IndicatorLevel(indicator.level) is IndicatorLevel.SASARAN:
                world.iku.append(indicator.id)
    world.indicators = len(indicators)
    session.flush()
    plans = load_plans(session, [i.id for i, _ in indicators], YEAR)  # one read of the year (in this transaction)

    rows, forms = [], []
    for month in range(1, months + 1):
        ref = PeriodRef(PeriodKind.MONTH, YEAR, month)
        deadline = default_deadline(ref)
        first_day = ref.day_after_end(1)
        opened = datetime(first_day.year, first_day.month, first_day.day, 8, tzinfo=JAKARTA)
        last = month == months
        period = Period(kind=ref.kind, year=YEAR, number=month, deadline=deadline, opened_at=opened,
                        status=PeriodStatus.OPEN if last else PeriodStatus.ARCHIVED)
        session.add(period)
        session.flush()
        submitted: dict[int, datetime] = {}
        for indicator, member in indicators:
            rule = indicator.rule
            target = month_target(plans[indicator.id], month, rule)
            value = _value(rng, target, rule.polarity, indicator.decimals)
            entered = opened + timedelta(days=rng.randint(0, 12), hours=rng.randint(0, 7))
            submitted[indicator.unit_id] = max(entered, submitted.get(indicator.unit_id, entered))
            row = {"indicator_id": indicator.id, "period_id": period.id, "revision": 1, "value": value,
                   "source": EntrySource.IMPORT if indicator.unit_id % 5 == 0 else EntrySource.CHAT,
                   "entered_by_id": member.id, "entered_at": entered, "note": None, "kendala": None,
                   "tindak_lanjut": None}
            if rng.random() < 0.05:  # corrected once: the first value stays as revision 1
                rows.append(dict(row, value=_value(rng, target, rule.polarity, indicator.decimals)))
                row.update(revision=2, entered_at=entered + timedelta(hours=2), note="koreksi data")
                world.revisions += 1
            if compute_capaian(value, target, rule).tercapai is False:
                row.update(kendala="Data dari OPD mitra terlambat masuk",
                           tindak_lanjut="Koordinasi dan pendampingan bulan berikutnya")
            rows.append(row)
            world.realisasi += 1
        for unit_id, sent in submitted.items():
            status = (rng.choices(SHOWN_STATUSES, (10, 20, 10, 60))[0] if last else FormStatus.APPROVED)
            form = UnitForm(unit_id=unit_id, period_id=period.id, status=status, version=3,
                            submitted_at=None if status is FormStatus.DRAFT else sent,
                            approved_at=sent + timedelta(days=2) if status is FormStatus.APPROVED else None,
                            created_at=opened, updated_at=sent)
            forms.append(form)
    session.add_all(forms)
    session.execute(sa.insert(Realisasi), rows)
    session.flush()
    for form in forms:
        if FormStatus(form.status) is FormStatus.RETURNED:
            review = Review(form_id=form.id, decision=ReviewDecision.RETURN, arahan="Lengkapi bukti dukung")
            session.add(review)
            session.flush()
            returned = next(i for i, _ in indicators if i.unit_id == form.unit_id)
            session.add(ReviewItem(review_id=review.id, indicator_id=returned.id, arahan="Nilai tidak sesuai"))
    return world


# -- measuring --------------------------------------------------------------------------------------------------
def _status_kb(field_name: str) -> int | None:
    try:
        match = re.search(rf"^{field_name}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.MULTILINE)
    except OSError:
        return None
    return int(match[1]) if match else None


def _reset_rss_peak() -> int:
    """Reset the peak RSS to the current RSS (Linux `clear_refs`); returns the starting point in kB."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_kb("VmRSS") or 0
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # then only a new overall peak shows


def _rss_peak() -> int:
    return _status_kb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@dataclass
class Step:
    label: str
    times: list[float]
    peak_mb: float  # tracemalloc's peak of Python allocations during one run
    rss_mb: float  # the largest growth of the process's peak RSS over the runs
    max_rss_mb: float  # the process's peak RSS (`ru_maxrss`) at the end of its highest run
    queries: int
    output: str
    images: int = 0
    png_bytes: int = 0

    @property
    def seconds(self) -> float:
        return statistics.median(self.times)


def measure(label: str, action: Callable[[], object], repeat: int, engine: sa.Engine | None = None) -> Step:
    times, rss, highest = [], [], []
    result: object = None
    for _ in range(repeat):
        result = None
        gc.collect()
        start = _reset_rss_peak()
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
        peak = _rss_peak()
        rss.append(max(0, peak - start) / 1024)
        highest.append(peak / 1024)
    queries = [0]

    def count(*_args: object) -> None:
        queries[0] += 1

    if engine is not None:
        sa.event.listen(engine, "before_cursor_execute", count)
    result = None
    gc.collect()
    tracemalloc.start()
    try:
        result = action()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
        if engine is not None:
            sa.event.remove(engine, "before_cursor_execute", count)
    step = Step(label, times, peak, max(rss), max(highest), queries[0], "")
    if isinstance(result, list) and all(isinstance(item, Rendered) for item in result):
        step.images, step.png_bytes = len(result), sum(len(r.png) for r in result)
        step.output = f"{step.images} PNG, {step.png_bytes / 1e6:.2f} MB"
    elif hasattr(result, "rows"):
        step.output = f"{len(result.rows)} rows"
    elif isinstance(result, list):
        step.output = f"{len(result)} units"
    return step


def empty_figure() -> list[Rendered]:
    """The baseline: one empty 1280 px figure rendered to PNG as `reports/chart_style.py` renders a chart."""
    figure = Figure(figsize=(WIDTH_PX / DPI, BASELINE_HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return [Rendered(png=buffer.getvalue(), bars=0, labels=())]


def profile(label: str, action: Callable[[], object], top: int = 10) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(action)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    body = out.getvalue()
    print(f"\nprofile of {label}, top {top} by cumulative time:")
    print(body[body.find("   ncalls"):].rstrip() if "   ncalls" in body else body.rstrip())


# -- the Kepala Dinas's report ----------------------------------------------------------------------------------
@dataclass
class KepalaFigures:
    steps: list[Step]  # read, album (and the PDF with --pdf)
    pictures: int
    albums: int
    messages: int  # the recap message and the PDF
    recap_chars: int
    read: Callable[[], KepalaReportRead]  # the read step, for --profile


def kepala_steps(engine: sa.Engine, month: PeriodRef, today: date, repeat: int, pdf: bool) -> KepalaFigures:
    """The Kepala Dinas's report of the last month as the delivery worker words it: read in a session
    (`kepala_report`), then drawn with no session open (`draw_kepala_report`: the album; the PDF comes last,
    drawn when its turn comes)."""
    moment = datetime(today.year, today.month, today.day, 9, tzinfo=JAKARTA)
    kepala = Member(name="Kepala Dinas", language="id")

    def read() -> KepalaReportRead:
        with session_scope(engine) as session:
            period = find_period(session, month)
            return kepala_report(session, kepala, KepalaReport(period.id), moment, ScheduleRules(),
                                 letterhead=Letterhead())

    report = read()
    steps = [measure("kepala: read (one session)", read, repeat, engine),
             measure("kepala: album", lambda: list(draw_album(report.album)), repeat)]
    parts = parts_later(draw_kepala_report(report))
    later = [part for part in parts if isinstance(part, LaterDocumentPart)]
    if pdf and later:
        sizes = []

        def draw_pdf() -> None:
            sizes.append(len(later[0].later.draw().data))

        steps.append(measure("kepala: PDF (after the buttons)", draw_pdf, 1))
        steps[-1].output = f"1 PDF, {sizes[-1] / 1e6:.2f} MB"
    albums = [part for part in parts if part.photos]
    messages = [part for part in parts if not part.photos]
    recap = next(part for part in messages if part.buttons is not None)
    return KepalaFigures(steps, sum(len(part.photos) for part in albums), len(albums), len(messages),
                         telegram_length(recap.text), read)


def print_kepala(kepala: KepalaFigures, base: float) -> None:
    read, album = kepala.steps[0], kepala.steps[1]
    print("the Kepala Dinas's report (read in one session, drawn after it; the PDF is sent after the buttons):")
    for step in kepala.steps:
        print(line(step, base))
    print(f"kepala: {kepala.pictures} pictures in {kepala.albums} album, {kepala.messages} messages "
          f"(the recap: {kepala.recap_chars} characters, with the buttons; the PDF)")
    print(f"kepala: time to the buttons {read.seconds + album.seconds:.2f} s (read {read.seconds:.2f} s + "
          f"album {album.seconds:.2f} s; sending not included: an album and a message, within the chat's burst)")


# -- the report -------------------------------------------------------------------------------------------------
def line(step: Step, base: float) -> str:
    queries = f"{step.queries:5d}" if step.queries else "    -"
    return (f"{step.label:<38} {step.seconds:9.3f} {step.seconds / base:9.1f}x {step.peak_mb:8.1f} "
            f"{step.rss_mb:8.1f} {queries}  {step.output}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.recap", description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=40, help="units under the office, default 40")
    parser.add_argument("--indicators", type=int, default=30, help="monthly indicators per unit, default 30")
    parser.add_argument("--months", type=int, default=12, help="months of 2026 with realisasi (1-12), default 12")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per step (the median is shown), default 3")
    parser.add_argument("--trends", type=int, default=10, help="trend charts (sasaran IKU), default 10")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true",
                        help="also print cProfile's top 10 of the triwulan's recap, the progress and the Kepala's read")
    parser.add_argument("--pdf", action="store_true", help="also time the Kepala's Laporan DRAF PDF (once)")
    parser.add_argument("--kepala-only", action="store_true",
                        help="only the Kepala Dinas's report (read, album, PDF), in a fresh process after the setup: "
                             "its peak RSS is that of a process that does nothing else")
    parser.add_argument("--kepala-from", metavar="DB", help=argparse.SUPPRESS)  # the fresh process's database
    args = parser.parse_args(argv)
    if min(args.units, args.indicators, args.repeat) < 1 or not 1 <= args.months <= 12 or args.trends < 0:
        parser.error("--units, --indicators and --repeat must be at least 1, --months 1 to 12")
    if args.kepala_from:
        return kepala_alone(args)

    with tempfile.TemporaryDirectory(prefix="sakip-bench-") as folder:
        path = Path(folder) / "sakip.db"
        engine = create_db_engine(f"sqlite:///{path}")
        try:
            started = time.perf_counter()
            world = build_world(engine, args.units, args.indicators, args.months, args.seed)
            setup = time.perf_counter() - started
            if args.kepala_only:
                engine.dispose()
                command = [sys.executable, "-m", "bench.recap", "--kepala-from", str(path),
                           "--months", str(world.last_month), "--repeat", str(args.repeat)]
                return subprocess.run(command + (["--pdf"] if args.pdf else []), check=False).returncode
            return run(engine, world, args, setup, _rss_peak() / 1024)  # before the steps reset the peak
        finally:
            engine.dispose()


def kepala_alone(args: argparse.Namespace) -> int:
    """The Kepala's steps in this fresh process, on the database the setup wrote; then the process's peak RSS."""
    engine = create_db_engine(f"sqlite:///{args.kepala_from}")
    try:
        month = PeriodRef(PeriodKind.MONTH, YEAR, args.months)
        today = default_deadline(month) + timedelta(days=3)
        empty_figure()  # matplotlib's fonts, as in `run`
        base = measure(f"baseline: empty figure 1280x{BASELINE_HEIGHT_PX}", empty_figure, args.repeat)
        kepala = kepala_steps(engine, month, today, args.repeat, args.pdf)
        print(f"the Kepala's report alone, in a fresh process (median of {args.repeat}, load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs):")
        print_kepala(kepala, base.seconds)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process since it started: {peak:.0f} MB (tracemalloc's bookkeeping included)")
        return 0
    finally:
        engine.dispose()


def run(engine: sa.Engine, world: World, args: argparse.Namespace, setup: float, setup_rss_mb: float) -> int:
    month = PeriodRef(PeriodKind.MONTH, YEAR, world.last_month)
    quarter = PeriodRef(PeriodKind.QUARTER, YEAR, month.quarter)
    deadline = default_deadline(month)
    today = deadline + timedelta(days=3)

    def recap_of(scope: PeriodRef | int) -> Callable[[], object]:
        def action() -> object:
            with Session(engine) as session:
                return compute_recap(session, scope)
        return action

    def progress() -> object:
        with Session(engine) as session:
            period = find_period(session, month)
            return period_progress(session, period, today, JAKARTA)

    empty_figure()  # the first figure loads matplotlib's fonts: not part of any step
    repeat = args.repeat
    base = measure(f"baseline: empty figure 1280x{BASELINE_HEIGHT_PX}", empty_figure, repeat)
    recaps = [measure(f"recap month ({month.code})", recap_of(month), repeat, engine),
              measure(f"recap triwulan ({quarter.code})", recap_of(quarter), repeat, engine),
              measure(f"recap year ({YEAR})", recap_of(YEAR), repeat, engine)]
    progress_step = measure(f"period_progress ({month.code})", progress, repeat, engine)
    recap = recap_of(quarter)()
    units = progress()
    rows = {row.indicator.id: row for row in recap.rows}
    iku = [rows[indicator_id] for indicator_id in world.iku[:args.trends]]  # a row has its plan and year's values
    label = quarter.label("id")
    charts = [
        measure("capaian_pages (triwulan)", lambda: capaian_pages(bars_from_recap(recap), period=label, per_page=30),
                repeat),
        measure("completeness_chart", lambda: [completeness_chart(progress_bars(units), period=month.label("id"))],
                repeat),
        measure(f"trend_chart x {len(iku)} IKU",
                lambda: [trend_chart(trend_from_plan(row.indicator, row.plan, row.series)) for row in iku], repeat),
    ]

    kepala = kepala_steps(engine, month, today, repeat, args.pdf)

    b = base.seconds
    print(f"recap bench: {world.units} units x {args.indicators} monthly indicators = {world.indicators} indicators, "
          f"{world.last_month} months of {YEAR}: {world.realisasi} realisasi (+{world.revisions} earlier revisions), "
          f"sqlite, median of {repeat}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"setup {setup:8.2f} s  (migrate + synthetic rows; not in the ratios), peak RSS {setup_rss_mb:.0f} MB")
    print(f"{'step':<38} {'median s':>9} {'ratio':>10} {'peak MB':>8} {'RSS +MB':>8} {'SQL':>5}  output")
    for step in [base, *recaps, progress_step, *charts]:
        print(line(step, b))
    print("per chart (time, ratio to the baseline figure, PNG size):")
    for step in charts:
        if step.images:
            each = step.seconds / step.images
            size = step.png_bytes / step.images / 1e3
            print(f"  {step.label:<36} {each:7.3f} s  ratio {each / b:7.1f}x  {size:7.1f} kB")
    steps = [recaps[1], progress_step, *charts]
    total = sum(step.seconds for step in steps)
    images = sum(step.images for step in steps)
    print(f"recap + charts of one triwulan ({quarter.code}: recap, period_progress, {images} charts): {total:.2f} s  "
          f"ratio {total / b:.1f}x  peak MB {max(step.peak_mb for step in steps):.1f}")
    print_kepala(kepala, b)
    top = max([base, *recaps, progress_step, *charts, *kepala.steps], key=lambda step: step.max_rss_mb)
    print(f"peak RSS of the process during the steps (ru_maxrss, reset before each run): {top.max_rss_mb:.0f} MB "
          f"in {top.label}")
    if args.profile:
        profile(f"compute_recap({quarter.code})", recap_of(quarter))
        profile(f"period_progress({month.code})", progress)
        profile(f"kepala_report({month.code}, one session)", kepala.read)
    return 0


if __name__ == "__main__":
    sys.exit(main())
