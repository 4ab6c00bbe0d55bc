"""`sakip-bot import-pk`: a year's Perjanjian Kinerja, or a PK Perubahan from a date, checked first with
`--periksa` (nothing written), and what it adds, drops and re-targets told before and after."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from decimal import Decimal

from sqlalchemy.engine import Engine

from i18n import t
from models.calc.numbers import format_number
from models.exchange.pk_apply import PkLine, TargetChange
from models.office.audit import Actor
from models.store.database import session_scope
from reports import heavy

EXIT_OK, EXIT_PROBLEMS = 0, 1
CHECK_FLAG, VALID_FROM_FLAG = "--periksa", "--berlaku-mulai"


def add_flags(command: argparse.ArgumentParser) -> None:
    command.add_argument(CHECK_FLAG, dest="periksa", action="store_true",
                         help="only check the file and show what it would add, drop and re-target; write nothing")
    command.add_argument(VALID_FROM_FLAG, dest="berlaku_mulai", metavar="YYYY-MM-DD",
                         help="the file is a PK Perubahan in force from this date (e.g. 2026-07-01): periods "
                         "that start before it keep their targets; the file holds rows of that year only")


def import_pk_command(args: argparse.Namespace, language: str, engine_of) -> int:
    """Run `import-pk`; `engine_of()` gives the migrated engine (after the arguments are checked)."""
    valid_from = None
    if args.berlaku_mulai is not None:
        try:
            valid_from = date.fromisoformat(args.berlaku_mulai)
        except ValueError:
            print(t("cli.bad_date", language, value=args.berlaku_mulai), file=sys.stderr)
            return EXIT_PROBLEMS
    engine: Engine = engine_of()
    with session_scope(engine) as session:
        summary = heavy.import_pk(session, args.file, Actor.cli(), valid_from=valid_from, dry_run=args.periksa)
    for line in summary_lines(summary, language, valid_from=valid_from, checked=args.periksa):
        print(line)
    return EXIT_OK


def summary_lines(summary: heavy.PkImportSummary, language: str, *, valid_from: date | None = None,
                  checked: bool = False) -> list[str]:
    """What the import did (or, `checked`, would do): the counts, then each year's additions, drops and
    re-targets (old → new)."""
    lines = [t("cli.pk_checked", language)] if checked else []
    if valid_from is not None:
        lines.append(t("cli.pk_perubahan", language, date=valid_from.isoformat()))
    if not summary.changed:
        return [*lines, t("cli.pk_unchanged", language)]
    lines.append(t("cli.pk_imported", language, created=summary.indicators_created,
                   updated=summary.indicators_updated, targets_created=summary.targets_created,
                   targets_updated=summary.targets_updated, dropped=len(summary.dropped),
                   units=", ".join(summary.units_created) or "-"))
    for key, found in (("cli.pk_added", summary.added), ("cli.pk_dropped", summary.dropped)):
        for year, codes in _by_year(found).items():
            lines.append("  " + t(key, language, year=year, codes=", ".join(codes)))
    for retarget in summary.retargeted:
        changes = "; ".join(_change(change, language) for change in retarget.changes)
        lines.append("  " + t("cli.pk_retargeted", language, code=retarget.code, year=retarget.year,
                              changes=changes))
    return lines


def _by_year(found: list[PkLine]) -> dict[int, list[str]]:
    years: dict[int, list[str]] = {}
    for line in found:
        years.setdefault(line.year, []).append(line.code)
    return dict(sorted(years.items()))


def _value(value: Decimal | None, language: str) -> str:
    return t("cli.pk_no_value", language) if value is None else format_number(value, None, language)


def _change(change: TargetChange, language: str) -> str:
    return t("cli.pk_change", language, column=change.column, before=_value(change.before, language),
             after=_value(change.after, language))
