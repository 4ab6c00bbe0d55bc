"""What the bot's start does not need, loaded when first used: the charts (matplotlib), the Laporan (fpdf2), the
workbooks and the spreadsheets read in (openpyxl); and Alembic, the webhook server's aiohttp, psycopg's
notifications, the sandbox's emulator and demo data.

Importing them took more than half of the bot's start (matplotlib with numpy and fontTools, fpdf2, openpyxl, and
Alembic, aiohttp, psycopg, which a start on the newest schema, polling, on SQLite does not need either: the start
to the first reply went from 7.0 to 3.2 times a bare PTB echo bot's, `python -m bench.cold_start`), and a
process needs the drawing and documents only once a member asks for a chart or a document, or a command reads
or writes a spreadsheet. So no module imports them at its top on the way to the bot's first reply
(`tests/test_start_imports.py`); what the chat, the delivery and the command line call from them is named here,
and its module is imported on the first use of a name:

    from reports import heavy
    files = heavy.export_files(session, scope, kind, language)   # the first use imports reports.workbooks

Never `from reports.heavy import export_files`: that is a use, and would load the module at once. A name here is the
object itself (the same function or class as in its module), so annotations (`heavy.AlbumData`) and
`isinstance` read as usual. Python's import lock makes a second thread that asks while the first one imports wait
for that import: concurrent first uses (two members' first /rekap, the delivery's first Kepala report) load a
module once, and nothing pays twice.

This is the one module that imports late: `tests/test_imports.py` allows `importlib.import_module` here only (and
no import inside a function anywhere). It names modules of `reports` and of the layers below it, libraries and the
stand-alone emulator only, so the layers' order (import-linter's contract, which sees no import made from a
string) holds here too: a test checks that as well.
"""

from __future__ import annotations

import importlib

# module -> the names the others use from it
LOADED_ON_FIRST_USE: dict[str, tuple[str, ...]] = {
    "reports.recap_charts": ("RecapCharts", "render_recap_charts"),
    "reports.recap_album": ("AlbumData", "album_data", "draw_album"),
    "reports.laporan": ("Laporan", "render_laporan"),
    "reports.laporan_data": ("LaporanFile", "draft_laporan", "draft_measurement_laporan", "laporan_file"),
    "reports.workbooks": ("ExportFile", "export_files"),
    "reports.templates": ("write_template",),
    "models.exchange.pk_import": ("PkImportSummary", "import_pk"),
    "models.exchange.realisasi_import": ("import_realisasi",),
    "models.demo.sandbox": ("DEMO_PEOPLE", "SANDBOX_OFFICE", "SandboxStory", "UNFILLED_UNIT", "DemoPerson",
                            "seed_sandbox", "story_at"),
    "models.store.migrating": ("migrate",),  # Alembic: only when the schema is not the newest one
    "emulator.server": ("BotApiEmulator",),  # the sandbox's (aiohttp)
}
# name -> a whole module, for what is used as `heavy.web.Response`
MODULES_ON_FIRST_USE: dict[str, str] = {
    "web": "aiohttp.web",  # the webhook server (bot/webhook.py); polling never needs it
    "psycopg": "psycopg",  # the PostgreSQL notifications (scheduler/leadership.py); SQLite never needs it
}
_MODULE_OF = {name: module for module, names in LOADED_ON_FIRST_USE.items() for name in names}
__all__ = sorted([*_MODULE_OF, *MODULES_ON_FIRST_USE])


def __getattr__(name: str) -> object:
    """The first use of a name: import its module (once, whatever the threads) and keep the name here."""
    if name in MODULES_ON_FIRST_USE:
        value = importlib.import_module(MODULES_ON_FIRST_USE[name])
    elif name in _MODULE_OF:
        value = getattr(importlib.import_module(_MODULE_OF[name]), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later uses find it without coming here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
