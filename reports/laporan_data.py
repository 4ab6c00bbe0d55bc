"""The Laporan Hasil Pengukuran Kinerja of a period (procedure A) or a triwulan's measurement (procedure B), as
the PDF that is filed with it.

The words and numbers are those of the chat (`handlers.render`), the charts those of the Kepala Dinas's album.
Once the period (or the measurement) is archived, the PDF is rendered once, in the office's language, and
filed (`models.reporting.archive`); every later request sends that same file. Before that, a request gets a draft marked
DRAF, in the member's language, and nothing is filed.

Values: the filed Laporan holds approved values only (`compute_recap(…, approved_only=True)`; a period is archived
only once every unit's form is approved, and no unlock is granted after the report, so this is every value). The
DRAF is a preview of what is coming: it holds every current value, and each row one of whose values is not
approved yet (its unit's form is draft, submitted or returned) is marked "belum disetujui", with the note on the
title page and under the table, as an export with `include_drafts` marks its rows. The bukti dukung per indicator
follow the same rule: in the filed Laporan those of approved forms as of their approval, in the DRAF all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from html import unescape

from sqlmodel import Session, select

from i18n import t
from models.calc.capaian import round_capaian
from models.calc.dates import format_datetime, format_duration
from models.calc.numbers import format_percent
from models.collection.forms import Disposition, DispositionDecision, Review, ReviewDecision, UnitForm
from models.collection.progress import UnitProgress, period_progress
from models.collection.recap import Recap, RecapRow, compute_recap
from models.measurement.cycle import MeasurementCycle, MeasurementStatus, cycle_of
from models.measurement.results import Measurement, measure_quarter
from models.office.audit import Actor
from models.office.organisation import Role, Unit
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus, find_period
from models.reporting.archive import Procedure, archived_document, file_document
from models.timing.mutu_baku import StepTiming, measurement_timeline, timeline
from models.timing.schedule import ScheduleRules
from models.timing.steps import SOP_NUMBER
from reports.laporan import Laporan, LaporanRow, LevelLine, TimelineLine, render_laporan
from reports.letterhead import Letterhead, dated
from reports.recap_charts import render_recap_charts
from reports.signatories import signatory_of
from reports.wording import scope_label, step_state, summary_lines, target_text, title_of, value_text
from reports.workbooks import evidence_texts

ARCHIVE_LANGUAGE = "id"  # the filed document is the office's official record


@dataclass(frozen=True)
class LaporanFile:
    filename: str
    data: bytes
    title: str
    draft: bool


def _plain(html: str) -> str:
    """Chat HTML (bold, italics, entities) as plain text for the PDF."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def _percent(value: Decimal | None, language: str) -> str:
    """A capaian as the PDF's tables show it: "95,63%" (the band is the cell's colour), or "–"."""
    return "–" if value is None else format_percent(round_capaian(value), 2, language)


def _row(row: RecapRow, language: str, extra: dict | None = None, evidence: dict[int, str] | None = None) -> LaporanRow:
    rating = row.capaian.rating
    return LaporanRow(
        code=row.indicator.code, name=row.indicator.name, unit=row.unit_name,
        level=t(f"level.{row.indicator.level}", language),
        target=_plain(target_text(row.target, row.indicator, language)),
        realisasi=_plain(value_text(row.realisasi, row.indicator, language)),
        capaian=_percent(row.capaian.value, language),
        band=rating.value if rating else None,
        band_label=t(f"rating.{rating.value}", language) if rating else "–",
        tercapai=row.capaian.tercapai,
        kendala="; ".join(row.kendala), tindak_lanjut="; ".join(row.tindak_lanjut),
        unapproved=row.unapproved,
        evidence=(evidence or {}).get(row.indicator.id, ""),
        **(extra or {}),
    )


def _timeline_lines(timings: list[StepTiming], language: str, procedure: str) -> tuple[TimelineLine, ...]:
    lines = []
    for timing in timings:
        mark, actual = step_state(timing, language)
        lines.append(TimelineLine(SOP_NUMBER[timing.step], t(f"{procedure}.{timing.step.value}", language), actual,
                                  format_duration(timing.standard, language), mark))
    return tuple(lines)


def _name(session: Session, member_id: int | None, at: datetime | None, language: str, office: Role) -> str:
    """Who acted, as "Plh. Sekretaris Budi" when they acted in `office` without holding it (`title_of`)."""
    return title_of(session, member_id, at, language, office) if member_id else "-"


def _when(moment: datetime | None, rules: ScheduleRules, language: str) -> str:
    return format_datetime(moment, rules.tz.key, language) if moment else "–"


def _period_reviews(session: Session, period: Period, rules: ScheduleRules, language: str) -> tuple[str, ...]:
    forms = {form.id: form for form in session.exec(select(UnitForm).where(UnitForm.period_id == period.id))}
    if not forms:
        return ()
    reviews = session.exec(select(Review).where(Review.form_id.in_(list(forms))).order_by(Review.created_at))
    lines = []
    for review in reviews:
        unit = session.get(Unit, forms[review.form_id].unit_id).name
        decision = t("laporan_views.approved" if ReviewDecision(review.decision) is ReviewDecision.APPROVE
                     else "laporan_views.returned", language)
        arahan = f": {review.arahan}" if review.arahan else ""
        by = _name(session, review.reviewer_id, review.created_at, language, Role.SEKRETARIS)
        lines.append(f"{_when(review.created_at, rules, language)} — {by}, "
                     f"{unit}: {decision}{arahan}")
    return tuple(lines)


def _disposition_line(session: Session, kepala_id: int | None, at: datetime | None, decision: str | None,
                      arahan: str | None, rules: ScheduleRules, language: str) -> tuple[str, ...]:
    if decision is None:
        return ()
    words = t("laporan_views.agree" if DispositionDecision(decision) is DispositionDecision.AGREE
              else "laporan_views.arahan", language)
    return (f"{_when(at, rules, language)} — {_name(session, kepala_id, at, language, Role.KEPALA)}: {words}"
            + (f": {arahan}" if arahan else ""),)


def _evidence(session: Session, ref: PeriodRef, language: str, approved_only: bool) -> dict[int, str]:
    """Each indicator's bukti dukung in the scope, as the Formulir lists them: a month's own; a triwulan's of
    its quarterly indicators and, each line after its month's name, of its monthly ones (whose evidence is sent
    with each month's form)."""
    refs = [ref] if ref.kind is PeriodKind.MONTH else [*(PeriodRef(PeriodKind.MONTH, ref.year, month)
                                                         for month in ref.months), ref]
    several = len(refs) > 1
    lines: dict[int, list[str]] = {}
    for each in refs:
        period = find_period(session, each)
        if period is None:
            continue
        label = each.label(language)
        for indicator_id, text in evidence_texts(session, period, language, approved_only).items():
            lines.setdefault(indicator_id, []).extend(
                f"{label}: {line}" if several and each.kind is PeriodKind.MONTH else line
                for line in text.splitlines())
    return {indicator_id: "\n".join(found) for indicator_id, found in lines.items()}


def _summary(recap: Recap, language: str, progress=None) -> tuple[str, ...]:
    return tuple(_plain(line).lstrip("• ") for line in summary_lines(recap, language, progress))


def _signed(session: Session, letterhead: Letterhead, now: datetime, rules: ScheduleRules, language: str) -> dict:
    """The Laporan's letterhead, date line ("Painan, 10 Januari 2027": the day it is made, in the office's time
    zone) and signatories (the Sekretaris verifies, the Kepala Dinas knows), from the configured letterhead, or
    the Plt/Plh named for the office on that day ("Plh. Sekretaris" and their name)."""
    return {"letterhead": letterhead, "signed_on": dated(letterhead.city, now.astimezone(rules.tz).date(), language),
            "verifier": signatory_of(session, Role.SEKRETARIS, letterhead.sekretaris, now, language),
            "approver": signatory_of(session, Role.KEPALA, letterhead.kepala, now, language)}


def period_laporan(session: Session, period: Period, now: datetime, rules: ScheduleRules, language: str,
                   letterhead: Letterhead, draft: bool, *, recap: Recap | None = None,
                   progress: list[UnitProgress] | None = None, with_charts: bool = True,
                   timings: list[StepTiming] | None = None) -> Laporan:
    """The period's Laporan; `recap`, `progress` and the SOP clock (`timings`, the period's `timeline`) when the
    caller computed them already (a draft's recap: every value, approved or not). Without charts
    (`with_charts=False`) nothing is drawn here: the caller draws them after its session ended and puts them in
    with `dataclasses.replace(laporan, charts=…)`. The office is the letterhead's (the top unit's when none is
    configured)."""
    letterhead = letterhead.for_office(_office(session))
    recap = recap or compute_recap(session, period.ref, language, approved_only=not draft)
    progress = progress if progress is not None else period_progress(session, period, now.date(), rules.tz)
    charts = render_recap_charts(recap, scope_label(recap, language), language, progress) if with_charts else None
    disposition = session.exec(select(Disposition).where(Disposition.period_id == period.id)).first()
    evidence = _evidence(session, period.ref, language, approved_only=not draft)  # as its values
    return Laporan(
        office=letterhead.office, period=period.ref.label(language), period_code=period.code,
        generated_at=format_datetime(now, rules.tz.key, language),
        summary=_summary(recap, language, progress),
        rows=tuple(_row(row, language, evidence=evidence) for row in recap.rows),
        charts=charts.pngs if charts else (),
        review=_period_reviews(session, period, rules, language),
        disposition=_disposition_line(session, disposition.kepala_id if disposition else None,
                                      disposition.created_at if disposition else None,
                                      disposition.decision if disposition else None,
                                      disposition.arahan if disposition else None, rules, language),
        timeline=_timeline_lines(timings if timings is not None else timeline(session, period, now, rules), language,
                                 "mutu_baku"),
        draft=draft,
        lists_evidence=True,
        created_at=now,
        **_signed(session, letterhead, now, rules, language),
    )


def measurement_laporan(session: Session, measurement: Measurement, cycle: MeasurementCycle | None, now: datetime,
                        rules: ScheduleRules, language: str, letterhead: Letterhead, draft: bool, *,
                        with_charts: bool = True) -> Laporan:
    """The measurement's Laporan; without charts (`with_charts=False`) nothing is drawn here (as
    `period_laporan`)."""
    letterhead = letterhead.for_office(_office(session))
    recap = measurement.recap
    charts = render_recap_charts(recap, scope_label(recap, language), language) if with_charts else None
    evidence = _evidence(session, measurement.quarter, language, approved_only=not draft)
    rows = [_row(item.row, language, {"previous": _percent(item.previous.value, language),
                                      "last_year": _percent(item.last_year.value, language),
                                      "year_progress": _percent(item.year_progress.value, language)},
                 evidence=evidence)
            for item in measurement.rows]
    levels = tuple(LevelLine(t(f"level.{level.level.value}", language), level.indicators, level.measured,
                             level.tercapai, _percent(level.average, language)) for level in measurement.levels)
    summary = list(_summary(recap, language))
    review: list[str] = []
    if cycle is not None:
        if cycle.analysis:
            summary.append(t("laporan_views.analysis", language, text=cycle.analysis))
        if cycle.rencana_aksi:
            summary.append(t("laporan_views.rencana_aksi", language, text=cycle.rencana_aksi))
        if cycle.submitted_at:
            by = _name(session, cycle.submitted_by_id, cycle.submitted_at, language, Role.SEKRETARIS)
            review.append(f"{_when(cycle.submitted_at, rules, language)} — {by}: "
                          f"{t('laporan_views.submitted', language)}")
        if cycle.return_arahan:
            review.append(t("laporan_views.returned_once", language, arahan=cycle.return_arahan))
        if cycle.approved_at:
            by = _name(session, cycle.decided_by_id, cycle.approved_at, language, Role.SEKRETARIS)
            review.append(f"{_when(cycle.approved_at, rules, language)} — {by}: "
                          f"{t('laporan_views.approved', language)}")
    return Laporan(
        office=letterhead.office, period=measurement.quarter.label(language), period_code=measurement.quarter.code,
        generated_at=format_datetime(now, rules.tz.key, language),
        summary=tuple(summary), rows=tuple(rows), charts=charts.pngs if charts else (), levels=levels,
        comparisons=True,
        review=tuple(review),
        disposition=_disposition_line(session, cycle.kepala_id, cycle.disposed_at, cycle.decision, cycle.arahan,
                                      rules, language) if cycle else (),
        timeline=_timeline_lines(measurement_timeline(cycle, now, rules), language, "mutu_baku_b") if cycle else (),
        draft=draft,
        lists_evidence=True,
        created_at=now,
        **_signed(session, letterhead, now, rules, language),
    )


def draft_laporan(session: Session, period: Period, now: datetime, rules: ScheduleRules, language: str,
                  letterhead: Letterhead, recap: Recap, progress: list[UnitProgress],
                  timings: list[StepTiming] | None = None) -> Laporan:
    """The period's Laporan DRAF without its charts, from the recap, progress (and SOP clock) the caller
    computed."""
    return period_laporan(session, period, now, rules, language, letterhead, draft=True, recap=recap,
                          progress=progress, with_charts=False, timings=timings)


def draft_measurement_laporan(session: Session, measurement: Measurement, cycle: MeasurementCycle, now: datetime,
                              rules: ScheduleRules, language: str, letterhead: Letterhead) -> Laporan:
    """The measurement's Laporan DRAF without its charts, from the measurement the caller computed."""
    return measurement_laporan(session, measurement, cycle, now, rules, language, letterhead, draft=True,
                               with_charts=False)


def _office(session: Session) -> str:
    root = session.exec(select(Unit).where(Unit.parent_id == None)).first()  # noqa: E711  (SQL comparison)
    return root.name if root else ""


def laporan_file(session: Session, ref: PeriodRef, procedure: Procedure, now: datetime, rules: ScheduleRules,
                 language: str, letterhead: Letterhead) -> LaporanFile | None:
    """The filed PDF when the period (measurement) is archived, filing it the first time (on the letterhead and
    with the signatories of that day); else a draft. None when there is no such period (or, for a measurement,
    the reference is not a triwulan)."""
    code = ref.code
    prefix = "laporan-pengukuran" if procedure is Procedure.MEASUREMENT else "laporan"
    filename = f"{prefix}-{code}.pdf"
    if procedure is Procedure.MEASUREMENT:
        if ref.kind is not PeriodKind.QUARTER:
            return None
        cycle = cycle_of(session, ref)
        archived = cycle is not None and MeasurementStatus(cycle.status) is MeasurementStatus.ARCHIVED
    else:
        period = find_period(session, ref)
        if period is None:
            return None
        archived = PeriodStatus(period.status) is PeriodStatus.ARCHIVED
    title = t("laporan_views.title", language)
    if archived:
        filed = archived_document(session, code, procedure)
        if filed is None:
            data = _render(session, ref, procedure, now, rules, ARCHIVE_LANGUAGE, letterhead, draft=False)
            filed = file_document(session, code, procedure, filename, data, Actor("archive"), now=now)
        return LaporanFile(filed.filename, filed.content, title, draft=False)
    return LaporanFile(filename, _render(session, ref, procedure, now, rules, language, letterhead, draft=True),
                       title, True)


def _render(session: Session, ref: PeriodRef, procedure: Procedure, now: datetime, rules: ScheduleRules,
            language: str, letterhead: Letterhead, draft: bool) -> bytes:
    if procedure is Procedure.MEASUREMENT:
        laporan = measurement_laporan(session, measure_quarter(session, ref, language), cycle_of(session, ref), now,
                                      rules, language, letterhead, draft)
    else:
        period = find_period(session, ref)
        laporan = period_laporan(session, period, now, rules, language, letterhead, draft)
    return render_laporan(laporan, language)


