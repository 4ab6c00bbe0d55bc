"""Words for the domain's values, shared by the chat and the documents: numbers with their satuan, targets, capaian,
the recap's summary lines and the state of an SOP step. Text from users is escaped for HTML."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from html import escape

from sqlmodel import Session

from i18n import t
from models.calc.capaian import CapaianResult, Polarity, Target
from models.calc.dates import format_date, format_duration
from models.calc.numbers import format_number, format_percent, round_half_up
from models.calc.year_path import YearPath
from models.collection.progress import UnitProgress
from models.collection.recap import Recap, RecapRow
from models.office.acting_officials import ActingKind, ActingOfficial, acting_at
from models.office.organisation import Member, Role
from models.plan.indicators import Indicator
from models.timing.mutu_baku import StepTiming

RATING_MARK = {"sangat_tinggi": "🟢", "tinggi": "🟢", "sedang": "🟡", "rendah": "🟠", "sangat_rendah": "🔴"}


def esc(text: object) -> str:
    """User text made safe for HTML parse mode."""
    return escape("" if text is None else str(text), quote=False)


def _number(value: Decimal | None, indicator: Indicator, language: str) -> str:
    if value is None:
        return "–"
    return format_number(value, None, language) if value == value.to_integral_value() else \
        format_number(round_half_up(value, max(indicator.decimals, 2)), None, language)


def value_text(value: Decimal | None, indicator: Indicator, language: str) -> str:
    if value is None:
        return "–"
    number = _number(value, indicator, language)
    satuan = indicator.satuan.strip()
    if satuan.lower() in ("rp", "rupiah"):
        return f"Rp{number}"
    if satuan == "%":
        return f"{number}%"
    return f"{number} {esc(satuan)}"


def value_change_text(old: Decimal | None, new: Decimal | None, indicator: Indicator, language: str) -> str:
    """A value's change, its satuan said once: "90 → 92 NIB"; a sign that sticks to its number stays on both
    ("95% → 97%", "Rp1.000 → Rp1.200")."""
    satuan = indicator.satuan.strip()
    if satuan.lower() in ("rp", "rupiah") or satuan == "%" or new is None:
        return f"{value_text(old, indicator, language)} → {value_text(new, indicator, language)}"
    return f"{_number(old, indicator, language)} → {value_text(new, indicator, language)}"


def target_text(target: Target, indicator: Indicator, language: str) -> str:
    if Polarity(indicator.polarity) is Polarity.RANGE:
        if target.lower is None and target.upper is None:
            return "–"
        low = target.lower if target.lower is not None else target.upper
        high = target.upper if target.upper is not None else target.lower
        return f"{value_text(low, indicator, language)} – {value_text(high, indicator, language)}"
    return value_text(target.value, indicator, language)


def capaian_text(result: CapaianResult, language: str) -> str:
    if result.value is None:
        return "–"
    rating = result.rating.value
    return f"{format_percent(result.rounded, 2, language)} {RATING_MARK[rating]} {t(f'rating.{rating}', language)}"


def year_path_text(path: YearPath | None, period: str, language: str) -> str:
    """"Capaian tahunan s.d. Triwulan I: 25% dari target setahun (sesuai jalur: 25%) 🟢": realisasi to date against
    the year's target, coloured by the capaian against the target to date (`models.calc.year_path`). No PK: None."""
    if path is None:
        return t("year_path.none", language, period=period)
    mark = RATING_MARK[path.rating.value] if path.rating is not None else ""
    fields = {"period": period, "mark": mark, "annual": format_percent(path.annual.rounded, 2, language),
              "path": format_percent(path.path.rounded, 2, language)}
    if Polarity(path.rule.polarity) is Polarity.RANGE:
        key = "year_path.line_range"
    elif path.share is not None:
        key = "year_path.line"
    else:
        key = "year_path.line_level"
    return t(key, language, share=format_percent(path.share, 2, language), **fields).rstrip()


LOWEST_SHOWN = 3


def scope_label(recap: Recap, language: str) -> str:
    return str(recap.scope) if isinstance(recap.scope, int) else recap.scope.label(language)


def tercapai_lines(recap: Recap, language: str,
                   describe: Callable[[RecapRow], str] = lambda row: row.indicator.name) -> list[str]:
    """How many indicators are tercapai, then the lowest few below target, each as its code, `describe(row)`
    (plain text, escaped here) and its capaian."""
    measured = [row for row in recap.rows if row.capaian.value is not None]
    tercapai = sum(1 for row in measured if row.capaian.tercapai)
    lines = [t("recap.tercapai", language, count=tercapai, total=len(measured))]
    lowest = sorted((row for row in measured if not row.capaian.tercapai), key=lambda row: row.capaian.value)
    if lowest:
        lines.append(t("recap.lowest", language))
        lines += [f"• {esc(row.indicator.code)} {esc(describe(row))}: {capaian_text(row.capaian, language)}"
                  for row in lowest[:LOWEST_SHOWN]]
    return lines


def summary_lines(recap: Recap, language: str, progress: list[UnitProgress] | None = None) -> list[str]:
    """How many indicators are tercapai, the lowest ones, those without realisasi, and the late units."""
    lines = tercapai_lines(recap, language)
    missing = [row for row in recap.rows if row.realisasi is None]
    if missing:
        lines.append(t("recap.missing", language, codes=", ".join(esc(row.indicator.code) for row in missing)))
    late = [p.unit.name for p in progress or [] if p.late]
    if late:
        lines.append(t("recap.late", language, units=esc(", ".join(late))))
    return lines


def step_state(timing: StepTiming, language: str) -> tuple[str, str]:
    """A step's mark (✅ within its standard, ⚠️ over it, ⏳ running, ▫️ not started) and its working time."""
    if timing.started_at is None:
        return t("mutu_baku.waiting", language), t("mutu_baku.not_started", language)
    if timing.automatic and timing.ended_at is not None:
        return t("mutu_baku.ok", language), t("mutu_baku.automatic", language)
    mark = t("mutu_baku.late" if timing.overdue else "mutu_baku.pending" if timing.running else "mutu_baku.ok",
             language)
    return mark, format_duration(timing.actual, language)


def acting_title(acting: ActingOfficial, language: str) -> str:
    """"Plh. Sekretaris", "Plt. Kepala Dinas": the office someone acts in."""
    return t("acting.title", language, kind=t(f"acting.kind.{ActingKind(acting.kind).value}", language),
             office=t(f"role.{Role(acting.office).value}", language))


def title_of(session: Session, member: Member | int | None, at: datetime | None, language: str,
             office: Role | None = None) -> str:
    """The member's name as a card, the audit's reader or a document names who acted at `at`: "Plh. Sekretaris
    Budi" when they acted in an office they do not hold (only `office`, if given), else "Budi" (not escaped)."""
    if isinstance(member, int):
        member = session.get(Member, member)
    if member is None:
        return "-"
    acting = acting_at(session, member.id, at, office) if at is not None else None
    if acting is None:
        return member.name
    return t("acting.titled_name", language, title=acting_title(acting, language), name=member.name)


def office_title_of(session: Session, member: Member | int | None, at: datetime | None, language: str,
                    office: Role) -> str:
    """Who acted in `office` at `at`, always with the office: "Plh. Sekretaris Budi" for an acting official,
    "Sekretaris Hendra" for its holder (not escaped)."""
    titled = title_of(session, member, at, language, office)
    name = member.name if isinstance(member, Member) else None
    if isinstance(member, int):
        found = session.get(Member, member)
        name = found.name if found else None
    if name is None or titled != name:
        return titled
    return t("acting.titled_name", language, title=t(f"role.{office.value}", language), name=name)


def holder_of(session: Session, member: Member | int | None, at: datetime | None, language: str,
              office: Role) -> str:
    """Who acted in `office` at `at`, as a notice about the office's decision names them: "Plh. Sekretaris Budi"
    for an acting official, the office itself ("Sekretaris", "the Sekretaris") for its holder (not escaped)."""
    if isinstance(member, int):
        member = session.get(Member, member)
    acting = acting_at(session, member.id, at, office) if member is not None and at is not None else None
    if acting is None:
        return t(f"acting.holder.{office.value}", language)
    return t("acting.titled_name", language, title=acting_title(acting, language), name=member.name)


def refusal_words(details: dict[str, object], language: str) -> dict[str, object]:
    """A refusal's details as its text takes them (not escaped): days worded, an office by its name, a Plt/Plh
    by its abbreviation; what is neither text nor a number dropped."""
    worded: dict[str, object] = {}
    for key, value in details.items():
        if isinstance(value, date):
            worded[key] = format_date(value, language)
        elif key == "office" and value in set(Role):
            worded[key] = t(f"role.{Role(value).value}", language)
        elif key == "kind" and value in set(ActingKind):
            worded[key] = t(f"acting.kind.{ActingKind(value).value}", language)
        elif isinstance(value, str | int):
            worded[key] = value
    return worded
