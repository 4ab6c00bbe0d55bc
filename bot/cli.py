"""The `sakip-bot` command line: set-up, spreadsheets in and out, invitations, and running the bot.

Every subcommand explains itself with `--help`; every message it prints comes from the catalogue in the
configured DEFAULT_LANGUAGE. Exit codes: 0 done, 1 the input had problems (nothing written), 2 configuration
(or a unit name that does not exist).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.acting_cli import add_parser as add_acting_parser
from bot.acting_cli import run as run_acting
from bot.config import SANDBOX_FOLDER, ConfigError, Settings, load_settings, new_webhook_secret
from bot.invites_cli import create_invite_link
from bot.pk_cli import add_flags as add_pk_flags
from bot.pk_cli import import_pk_command
from bot.polling import PollingRefused
from bot.redaction import hide
from bot.runner import run_bot
from bot.sandbox import run_sandbox
from bot.token_check import TokenRejected
from i18n import t
from i18n.codes import text_key
from i18n.problems import render_problem
from models.calc.clock import system_clock
from models.demo import DEMO_PK
from models.exchange.problems import ImportFailed, SpreadsheetError
from models.office.audit import Actor
from models.office.organisation import ensure_office, unit_named, unit_names
from models.plan.period_words import PeriodWordsError, parse_period_words
from models.plan.periods import PeriodRef
from models.reporting.archive import Procedure
from models.store.database import create_db_engine, schema_is_current, session_scope
from reports import heavy
from reports.export_bundle import BOT_UPLOAD_LIMIT, bundle_export, scope_bundle_name, scope_files
from reports.export_kinds import (
    COMMAND_LINE_SPELLINGS,
    INCLUDE_DRAFTS_FLAG,
    SPELLINGS,
    ExportError,
    ExportKind,
    export_kind,
)

EXIT_OK, EXIT_PROBLEMS, EXIT_CONFIG = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sakip-bot",
        description="SAKIP Bot: collects monthly and quarterly realisasi of performance indicators in Telegram, "
        "measures capaian against the Perjanjian Kinerja, and runs the Sekretaris review and the Kepala Dinas "
        "disposition. Settings come from the environment or a .env file (see .env.example).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    init = commands.add_parser("init", help="create or upgrade the database (and load the demo data)",
                               description="Create the database, or upgrade it to the newest schema. Safe to run "
                               "again at any time.")
    init.add_argument("--demo", action="store_true",
                      help="also load the demo Perjanjian Kinerja of a DPMPTSP (14 indicators, 4 units)")
    init.add_argument("--office", default="Dinas", metavar="NAME",
                      help="name of the office (the top unit), e.g. \"DPMPTSP Kabupaten Pesisir Selatan\"")

    template = commands.add_parser("template", help="write an Excel template to fill in and import",
                                   description="Write an Excel import template with an instructions sheet.")
    template.add_argument("file", type=Path, help="the .xlsx file to write, e.g. pk.xlsx")
    template.add_argument("--jenis", choices=("pk", "realisasi"), default="pk",
                          help="pk: Perjanjian Kinerja (indicators and targets, default); realisasi: values")

    import_pk_cmd = commands.add_parser(
        "import-pk", help="import indicators and targets of the Perjanjian Kinerja",
        description="Import indicators and targets from the PK sheet of an .xlsx (or a .csv). Every row is "
        "checked first; any problem is reported by row and column and nothing is imported. The rows of a year "
        "are that year's PK: indicators of its PK missing from the file are dropped from it (other years keep "
        "theirs). What is added, dropped and re-targeted (old -> new) is listed; --periksa only lists it. "
        "Importing the same file again changes nothing; every change is recorded in the audit log.")
    import_pk_cmd.add_argument("file", type=Path, help="the .xlsx or .csv file")
    add_pk_flags(import_pk_cmd)

    import_real = commands.add_parser(
        "import-realisasi", help="import realisasi values from Excel (for units that do not use the chat)",
        description="Import realisasi from an .xlsx or .csv with columns kode, periode, realisasi, catatan, "
        "kendala, tindak_lanjut (periode like 2026-01 or 2026-TW1). Missing periods are created. The values "
        "enter each unit's form and the form is sent to the Sekretaris for review, as from the chat.")
    import_real.add_argument("file", type=Path, help="the .xlsx or .csv file")

    export = commands.add_parser(
        "export", help="write a period's documents: the Laporan (PDF), the Kertas Kerja, the data, the Rekapitulasi, "
        "the Formulir, the evidence, or all of them",
        description="Write the documents of a period, the same files the chat sends (/ekspor, /laporan). "
        "kertas-kerja (default): the Kertas Kerja Pengukuran Kinerja (title, instansi, period; indicators grouped "
        "tujuan, sasaran, program, kegiatan with target, realisasi, capaian and category for the period and "
        "cumulatively, the unit, kendala, tindak lanjut, evidence; signatures). data: the plain data export, one "
        "row per indicator under fixed snake_case columns, as .xlsx and .csv (TARGET ending in .csv or .xlsx: "
        "that one only). rekapitulasi: each unit's progress, indicators per capaian category, and every indicator "
        "by unit. formulir: each unit's Formulir Pengumpulan Data of a month or triwulan (blank where nothing is "
        "entered yet, to distribute). bukti: one ZIP of a month's or triwulan's evidence files "
        "(<unit>/<indicator code> <n>.<ext>) with an index. semua: the one ZIP of all of them the chat sends. "
        "laporan: the Laporan Hasil Pengukuran Kinerja (PDF) of a month or triwulan: the filed one once the "
        "period is archived, a DRAF before. One file is written to TARGET (or into the folder TARGET under its "
        "own name); several files (formulir of every unit, data) go into the folder TARGET, which is created. "
        "Only approved values (a unit's form approved for that period), unless --termasuk-draf.")
    export.add_argument("--periode", required=True,
                        help="a month (2026-01, \"april 2026\"), a triwulan (2026-TW1, \"tw1 2026\") or a whole "
                        "year (2026; no formulir, bukti or laporan), in the words the chat takes")
    export.add_argument("--jenis", choices=(*COMMAND_LINE_SPELLINGS, LAPORAN),
                        default=SPELLINGS[ExportKind.KERTAS_KERJA][0],
                        help="which document: kertas-kerja (default), data, rekapitulasi, formulir, bukti, semua "
                        "(one ZIP) or laporan (PDF)")
    export.add_argument("--unit", metavar="NAME",
                        help="only this unit's formulir, e.g. \"Bidang Pelayanan Perizinan\"")
    export.add_argument(INCLUDE_DRAFTS_FLAG, dest="termasuk_draf", action="store_true",
                        help="include values not approved yet (draft, submitted, returned), each row they touch "
                        "marked \"belum disetujui\" in a persetujuan column")
    export.add_argument("target", type=Path, metavar="TARGET",
                        help="the file to write (.xlsx, .csv, .zip, .pdf), or the folder for several files")

    invite = commands.add_parser("invite", help="create a one-time invitation link for a new member",
                                 description="Create a one-time link that lets one person join with the given "
                                 "role and unit. It expires after --hari days.")
    invite.add_argument("--role", required=True,
                        choices=("admin", "kepala", "sekretaris", "tim_sakip", "kabid", "staf"),
                        help="the member's role")
    invite.add_argument("--unit", help="the member's unit, e.g. \"Bidang Pelayanan Perizinan\" "
                        "(default: the office itself)")
    invite.add_argument("--hari", type=int, default=7, help="days until the link expires (default 7)")

    add_acting_parser(commands)

    commands.add_parser("run", help="run the bot (long polling, or a webhook when WEBHOOK_URL is set)",
                        description="Run the bot until stopped with Ctrl+C. The database is upgraded first. "
                        "Without TELEGRAM_BOT_TOKEN it runs the sandbox instead (see `sandbox`), unless WEBHOOK_URL "
                        "or a PostgreSQL DATABASE_URL says this is a deployment.")

    commands.add_parser("secret", help="make a new WEBHOOK_SECRET for webhook mode",
                        description="Print a new random WEBHOOK_SECRET line (43 characters Telegram accepts) to add "
                        "to .env, e.g. `sakip-bot secret >> .env`. Webhook mode does not start without one.")

    sandbox = commands.add_parser(
        "sandbox", help="try the bot without Telegram: a browser chat with the demo office",
        description="Run the real bot against a local Telegram Bot API emulator on this machine, with the demo "
        "Perjanjian Kinerja and a person for every role (Kepala Dinas, Sekretaris, Tim SAKIP, a kabid and staff "
        "for each Bidang) on a fresh SQLite database in FOLDER, and a browser page to chat as any of them. "
        "No token and no Internet needed. Stop with Ctrl+C.")
    sandbox.add_argument("--port", type=int,
                         help="port of the browser page and the emulator (default SANDBOX_PORT, 8765)")
    sandbox.add_argument("--host",
                         help="address to listen on (default SANDBOX_HOST, 127.0.0.1: this machine only)")
    sandbox.add_argument("--folder", type=Path, default=SANDBOX_FOLDER, metavar="FOLDER",
                         help=f"where the sandbox's database and evidence go (default {SANDBOX_FOLDER}); "
                         "the database is made anew at every start")
    return parser


def _prepare(settings: Settings):
    """The engine of a database at the newest schema (Alembic is loaded only when it is not there yet)."""
    engine = create_db_engine(settings.database_url)
    if not schema_is_current(engine):
        heavy.migrate(engine)
    return engine


def _say(text: str) -> None:
    print(text)


def _problems(exc: ImportFailed, language: str) -> int:
    print(t("cli.import_failed", language, count=len(exc.problems)), file=sys.stderr)
    for problem in exc.problems:
        print("  " + render_problem(problem, language), file=sys.stderr)
    print(t("cli.nothing_written", language), file=sys.stderr)
    return EXIT_PROBLEMS


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    language = settings.default_language
    engine = _prepare(settings)
    with session_scope(engine) as session:
        ensure_office(session, Actor.cli(), args.office)
        if args.demo:
            summary = heavy.import_pk(session, DEMO_PK, Actor.cli())
            _say(t("cli.demo_loaded", language, indicators=summary.indicators_created,
                   units=len(summary.units_created)))
    _say(t("cli.database_ready", language, url=engine.url.render_as_string(hide_password=True)))
    return EXIT_OK


def cmd_template(args: argparse.Namespace, settings: Settings) -> int:
    heavy.write_template(args.file, args.jenis, settings.default_language)
    _say(t(f"cli.template_written_{args.jenis}", settings.default_language, file=str(args.file)))
    return EXIT_OK


def cmd_import_pk(args: argparse.Namespace, settings: Settings) -> int:
    return import_pk_command(args, settings.default_language, lambda: _prepare(settings))


def cmd_import_realisasi(args: argparse.Namespace, settings: Settings) -> int:
    language = settings.default_language
    engine = _prepare(settings)
    now = system_clock().astimezone(settings.timezone)
    with session_scope(engine) as session:
        summary = heavy.import_realisasi(session, args.file, Actor.cli(), now)
    _say(t("cli.realisasi_imported", language, entered=summary.values_entered,
           unchanged=summary.values_unchanged, periods=", ".join(summary.periods_created) or "-"))
    for unit_name, code in summary.forms_submitted:
        _say("  " + t("cli.form_submitted", language, unit=unit_name, period=code))
    for unit_name, code, missing in summary.forms_incomplete:
        _say("  " + t("cli.form_incomplete", language, unit=unit_name, period=code, codes=", ".join(missing)))
    return EXIT_OK


LAPORAN = "laporan"  # `--jenis laporan`: the Laporan Hasil Pengukuran Kinerja (PDF), beside the export kinds


def _write(target: Path, file) -> Path:
    """One file to the file TARGET, or into TARGET under its own name when TARGET is a folder."""
    path = target / file.filename if target.is_dir() else target
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(file.data)
    return path


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """The same bytes the chat sends: one file to the file TARGET (or into TARGET when it is a folder); several
    (every unit's formulir, the data export as XLSX and CSV) into the folder TARGET; `semua` the chat's one ZIP;
    `laporan` the filed PDF of an archived period (a DRAF before)."""
    language = settings.default_language
    now = system_clock().astimezone(settings.timezone)
    try:
        scope = parse_period_words(args.periode, now.date())
    except PeriodWordsError:
        print(t("cli.bad_period", language, value=args.periode), file=sys.stderr)
        return EXIT_PROBLEMS
    if args.jenis == LAPORAN:
        return _export_laporan(args, settings, scope, now)
    kind = export_kind(args.jenis)
    single_data = kind is ExportKind.DATA and args.target.suffix.lower() in (".csv", ".xlsx")
    several = (kind is ExportKind.FORMULIR and not args.unit) or (kind is ExportKind.DATA and not single_data)
    if several and args.target.exists() and not args.target.is_dir():
        print(t("workbook.cli.not_a_directory", language, target=str(args.target)), file=sys.stderr)
        return EXIT_PROBLEMS
    engine = _prepare(settings)
    with session_scope(engine) as session:
        unit_id = None
        if args.unit:
            unit = unit_named(session, args.unit, include_office=False)
            if unit is None:
                print(t("cli.unknown_unit", language, unit=args.unit, units=", ".join(unit_names(session)) or "-"),
                      file=sys.stderr)
                return EXIT_CONFIG
            unit_id = unit.id
        try:
            if kind is ExportKind.SEMUA:
                return _export_bundle(args, settings, session, scope, now)
            files = heavy.export_files(session, scope, kind, language, unit_id, today=now.date(),
                                       tz=settings.timezone, include_drafts=args.termasuk_draf,
                                       evidence_dir=Path(settings.evidence_dir), letterhead=settings.letterhead())
        except ExportError as exc:
            print(t(text_key(exc.code), language, **exc.details), file=sys.stderr)
            return EXIT_PROBLEMS
    if single_data:
        files = [file for file in files if file.filename.endswith(args.target.suffix.lower())]
    if several:
        args.target.mkdir(parents=True, exist_ok=True)
        for file in files:
            (args.target / file.filename).write_bytes(file.data)
        _say(t("workbook.cli.written_many", language, count=len(files), directory=str(args.target)))
        for file in files:
            _say("  " + t("workbook.cli.file_line", language, file=file.filename, title=file.title))
        return EXIT_OK
    (file,) = files
    path = _write(args.target, file)
    if kind is ExportKind.KERTAS_KERJA:
        _say(t("cli.export_written", language, file=str(path), count=file.rows))
    else:
        _say(t("workbook.cli.written", language, title=file.title, file=str(path)))
    return EXIT_OK


def _export_bundle(args: argparse.Namespace, settings: Settings, session, scope, now) -> int:
    """`--jenis semua`: the ZIP `/ekspor <periode>` sends (`reports.export_bundle`), to TARGET if it names a .zip,
    else into the folder TARGET; here with no upload limit when even the chat could not send it."""
    language = settings.default_language
    files, evidence = scope_files(session, scope, language, today=now.date(), tz=settings.timezone,
                                  include_drafts=args.termasuk_draf, evidence_dir=Path(settings.evidence_dir),
                                  letterhead=settings.letterhead())
    name = scope_bundle_name(session, scope, language)
    bundle = bundle_export(files, evidence, BOT_UPLOAD_LIMIT, name=name) or \
        bundle_export(files, evidence, sys.maxsize, name=name)
    if args.target.suffix.lower() != ".zip":  # a folder, made if need be, the archive under its own name
        args.target.mkdir(parents=True, exist_ok=True)
    path = _write(args.target, bundle)
    _say(t("workbook.cli.written_bundle", language, file=str(path), count=len(files)))
    if bundle.evidence_left_out:
        _say(t("workbook.cli.evidence_left_out", language, period=scope.code))
    return EXIT_OK


def _export_laporan(args: argparse.Namespace, settings: Settings, scope, now) -> int:
    """`--jenis laporan`: the PDF `/laporan <periode>` sends: the filed one of an archived period, else a DRAF."""
    language = settings.default_language
    if not isinstance(scope, PeriodRef):
        print(t("cli.laporan_needs_period", language, year=str(scope)), file=sys.stderr)
        return EXIT_PROBLEMS
    engine = _prepare(settings)
    with session_scope(engine) as session:
        document = heavy.laporan_file(session, scope, Procedure.COLLECTION, now, settings.schedule_rules(),
                                      language, settings.letterhead())
    if document is None:
        print(t("laporan_views.none_yet", language, period=scope.label(language)), file=sys.stderr)
        return EXIT_PROBLEMS
    path = _write(args.target, document)
    _say(t("workbook.cli.written", language, title=document.title, file=str(path)))
    return EXIT_OK


def cmd_invite(args: argparse.Namespace, settings: Settings) -> int:
    return create_invite_link(args, settings, _prepare(settings))


def cmd_plt(args: argparse.Namespace, settings: Settings) -> int:
    return run_acting(args, settings, _prepare(settings))


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.telegram_bot_token:
        if settings.webhook_url or settings.sqlite_path() is None:
            settings.require_token()  # a deployment (a webhook, PostgreSQL) without its token: stop and say so
        return run_sandbox(settings, without_token=True)
    settings.require_webhook_secret()  # before the database: a webhook without its secret does not start
    return run_bot(settings, _prepare(settings))  # a refused token stops at the start's getMe (TokenRejected)


def cmd_secret(args: argparse.Namespace, settings: Settings) -> int:
    """The line on stdout (to append to .env), the hint on stderr."""
    _say(t("cli.secret_line", settings.default_language, secret=new_webhook_secret()))
    print(t("cli.secret_hint", settings.default_language), file=sys.stderr)
    return EXIT_OK


def cmd_sandbox(args: argparse.Namespace, settings: Settings) -> int:
    return run_sandbox(settings, folder=args.folder, host=args.host, port=args.port)


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "init": cmd_init,
    "template": cmd_template,
    "import-pk": cmd_import_pk,
    "import-realisasi": cmd_import_realisasi,
    "export": cmd_export,
    "invite": cmd_invite,
    "plt": cmd_plt,
    "run": cmd_run,
    "secret": cmd_secret,
    "sandbox": cmd_sandbox,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(t("cli.config_error", None, error=exc), file=sys.stderr)
        return EXIT_CONFIG
    hide(settings.telegram_bot_token, settings.webhook_secret)
    language = settings.default_language
    try:
        return COMMANDS[args.command](args, settings)
    except ConfigError as exc:
        print(t("cli.config_error", language, error=exc), file=sys.stderr)
        return EXIT_CONFIG
    except TokenRejected as exc:
        print(t("cli.token_rejected", language, reason=exc.reason), file=sys.stderr)
        return EXIT_CONFIG
    except PollingRefused as exc:
        print(t(f"cli.polling_{exc.reason.value}", language), file=sys.stderr)
        return EXIT_CONFIG
    except ImportFailed as exc:
        return _problems(exc, language)
    except SpreadsheetError as exc:
        print(t(text_key(exc.code), language, **exc.details), file=sys.stderr)
        return EXIT_PROBLEMS


if __name__ == "__main__":
    sys.exit(main())
