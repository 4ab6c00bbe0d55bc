"""What a triwulan's Pengukuran Kinerja looks like in chat: per level, then per indicator with its comparisons."""

from __future__ import annotations

from datetime import datetime

from handlers.callbacks import Button, pack
from handlers.recap_views import mutu_baku_block, short
from handlers.screens import Screen
from i18n import t
from models.calc.capaian import CapaianResult
from models.calc.numbers import format_percent
from models.measurement.cycle import MeasurementCycle, MeasurementStatus, MeasurementText, MissingPeriod
from models.measurement.results import MeasuredRow, Measurement, previous_quarter
from models.plan.periods import PeriodKind, PeriodRef, PeriodStatus
from models.timing.mutu_baku import measurement_timeline
from models.timing.schedule import ScheduleRules
from reports.wording import RATING_MARK, capaian_text, esc, summary_lines, year_path_text


def _short(result: CapaianResult, language: str) -> str:
    if result.value is None:
        return "–"
    return f"{format_percent(result.rounded, 2, language)} {RATING_MARK[result.rating.value]}"


def title(cycle: MeasurementCycle | None, ref: PeriodRef, language: str) -> str:
    status = t(f"measurement.status_{MeasurementStatus(cycle.status).value}", language) if cycle else \
        t("measurement.status_none", language)
    return t("measurement.header", language, period=ref.label(language), status=status)


def level_block(measurement: Measurement, language: str) -> str:
    lines = [t("measurement.levels_header", language)]
    for level in measurement.levels:
        average = format_percent(level.average, 2, language) if level.average is not None else "–"
        lines.append(t("measurement.level_line", language, level=t(f"level.{level.level.value}", language),
                       count=level.indicators, tercapai=level.tercapai, measured=level.measured, average=average))
    return "\n".join(lines)


def row_block(item: MeasuredRow, ref: PeriodRef, language: str) -> str:
    indicator = item.row.indicator
    previous = previous_quarter(ref)
    last_year = PeriodRef(PeriodKind.QUARTER, ref.year - 1, ref.number)
    return "\n".join([
        f"<b>{esc(indicator.code)}</b> {esc(indicator.name)}",
        t("measurement.row", language, period=ref.label(language), capaian=capaian_text(item.row.capaian, language),
          previous_label=previous.label(language), previous=_short(item.previous, language),
          last_year_label=last_year.label(language), last_year=_short(item.last_year, language),
          progress=year_path_text(item.year_path, ref.label(language), language)),
    ])


def measurement_blocks(measurement: Measurement, cycle: MeasurementCycle | None, language: str,
                       now: datetime | None = None, rules: ScheduleRules | None = None) -> list[str]:
    """Title and summary, the levels, the Tim's analysis and rencana aksi, the SOP clock, then every indicator."""
    ref = measurement.quarter
    summary = "\n".join([title(cycle, ref, language), *summary_lines(measurement.recap, language)])
    blocks = [summary, level_block(measurement, language)]
    if cycle is not None:
        blocks += text_blocks(cycle, language)
    if cycle is not None and cycle.return_arahan and MeasurementStatus(cycle.status) is MeasurementStatus.RETURNED:
        blocks.append(t("measurement.returned_arahan", language, arahan=esc(cycle.return_arahan)))
    if cycle is not None and cycle.arahan:
        blocks.append(t("measurement.kepala_arahan", language, arahan=esc(cycle.arahan)))
    if cycle is not None and now is not None and rules is not None:
        blocks.append(mutu_baku_block(measurement_timeline(cycle, now, rules), language, procedure="mutu_baku_b"))
    blocks += [row_block(item, ref, language) for item in measurement.rows]
    return blocks


def text_blocks(cycle: MeasurementCycle, language: str, *parts: MeasurementText, chars: int | None = None
                ) -> list[str]:
    """The Tim's analysis and rencana aksi as written (or only `parts`), each headed; long ones are split
    between messages by `handlers.render.split_blocks`. With `chars`, each cut to that many on one line."""
    return [t(f"measurement.{part.value}", language,
              text=esc(short(text, chars) if chars else text))
            for part in parts or MeasurementText if (text := getattr(cycle, part.value))]


def preparer_buttons(cycle: MeasurementCycle, language: str) -> list[list[tuple[str, str]]]:
    return [[(t("measurement.analysis_button", language), pack(Button.MEASUREMENT_ANALYSIS, cycle.id))],
            [(t("measurement.rencana_aksi_button", language), pack(Button.MEASUREMENT_RENCANA_AKSI, cycle.id))],
            [(t("measurement.submit_button", language), pack(Button.MEASUREMENT_SUBMIT, cycle.id, cycle.version))]]


def review_buttons(cycle: MeasurementCycle, language: str) -> list[list[tuple[str, str]]]:
    return [[(t("measurement.approve_button", language), pack(Button.MEASUREMENT_APPROVE, cycle.id, cycle.version)),
             (t("measurement.return_button", language), pack(Button.MEASUREMENT_RETURN, cycle.id, cycle.version))]]


def report_buttons(cycle: MeasurementCycle, language: str) -> list[list[tuple[str, str]]]:
    return [[(t("measurement.report_button", language), pack(Button.MEASUREMENT_REPORT, cycle.id))]]


def kepala_buttons(cycle: MeasurementCycle, language: str) -> list[list[tuple[str, str]]]:
    return [[(t("notify.agree_button", language), pack(Button.MEASUREMENT_AGREE, cycle.id)),
             (t("notify.arahan_button", language), pack(Button.MEASUREMENT_ARAHAN, cycle.id))]]


def text_buttons(number: int, cycle_id: int, language: str) -> list[list[tuple[str, str]]]:
    """Under each part of an analysis or rencana aksi received: finish it, or throw it away and start over; both
    bound to the draft's question `number`."""
    return [[(t("measurement.text_done_button", language), pack(Button.MEASUREMENT_TEXT_DONE, number, cycle_id)),
             (t("measurement.text_restart_button", language),
              pack(Button.MEASUREMENT_TEXT_RESTART, number, cycle_id))]]


def missing_lines(missing: tuple[MissingPeriod, ...] | list[MissingPeriod], language: str) -> str:
    """One line per period not archived yet, with where it stands."""
    return "\n".join(t("measurement.missing_line", language, period=part.ref.label(language),
                       status=t("measurement.not_opened", language) if part.status is PeriodStatus.DRAFT
                       else t(f"period_status.{part.status.value}", language)) for part in missing)


def measurement_screen(measurement: Measurement, cycle: MeasurementCycle | None, language: str,
                       buttons: list | None = None, now: datetime | None = None,
                       rules: ScheduleRules | None = None) -> Screen:
    return Screen(measurement_blocks(measurement, cycle, language, now, rules), buttons or [])
