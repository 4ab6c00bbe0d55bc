"""The bot starts and answers its first update without the heavy layers (`reports/heavy.py`): no matplotlib,
openpyxl, fpdf2 (nor numpy, PIL, fontTools that come with them), no Alembic on a database at the newest schema, no
aiohttp when polling, no psycopg on SQLite. Not timed: `python -m bench.cold_start` measures the start."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from bench.cold_start import cold_start, sakip_bot, sakip_database
from bench.updates import plan_members

ROOT = Path(__file__).resolve().parents[1]
HEAVY = {"matplotlib", "openpyxl", "fpdf", "PIL", "numpy", "fontTools", "alembic", "aiohttp", "psycopg", "emulator"}


def imported(importtime_log: str) -> set[str]:
    """The modules `python -X importtime` says it imported."""
    return {line.rsplit("|", 1)[1].strip() for line in importtime_log.splitlines()
            if line.startswith("import time:") and "self [us]" not in line}


def heavy_among(modules: set[str]) -> list[str]:
    return sorted(name for name in modules if name.split(".")[0] in HEAVY)


def run_python(code: str, *args: str, cwd: Path) -> str:
    """Run `code` in a fresh interpreter (nothing imported yet), with no settings but those it sets itself."""
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_check_reads_importtime():
    log = "import time: self [us] | cumulative | imported package\nimport time:  5 |  9 |   matplotlib.figure\n"
    assert heavy_among(imported(log)) == ["matplotlib.figure"]


def test_the_bot_answers_its_first_update_without_the_heavy_layers(tmp_path):
    """The real `python -m bot.cli run`, polling an emulator, on a migrated SQLite database: a member's /isi is
    answered with the form's first question, and nothing heavy was imported on the way."""
    (member,) = plan_members(1)
    template = sakip_database(tmp_path, member)
    run = tmp_path / "run"
    run.mkdir()
    (run / "sakip.db").write_bytes(template.read_bytes())
    log = tmp_path / "importtime.txt"
    asyncio.run(cold_start(sakip_bot(run), member, run, flags=("-X", "importtime"), stderr=log))
    modules = imported(log.read_text(errors="replace"))
    assert {"bot.runner", "bot.application", "handlers.registry", "handlers.fill.flow"} <= modules
    assert heavy_among(modules) == []


BUILD = """
import sys
from bot.application import build_application
from bot.cli import _prepare
from bot.config import load_settings
from bot.webhook import WebhookServer
settings = load_settings()
engine = _prepare(settings)
application = build_application(settings, engine)
WebhookServer(application, engine, url="https://example.org/hook", secret="s" * 32, listen="127.0.0.1", port=1)
print(" ".join(sorted(sys.modules)))
"""


def test_building_the_bot_loads_nothing_heavy_and_the_first_chart_loads_its_layer(tmp_path):
    """The whole application (every handler, the delivery, the scheduler, a webhook server not started) on a
    migrated database; then, in the same process, `heavy` still gives the charts when first asked."""
    url = f"sqlite:///{tmp_path / 'sakip.db'}"
    run_python("import sys; from models.store.database import create_db_engine; "
               "from models.store.migrating import migrate; migrate(create_db_engine(sys.argv[1]))", url, cwd=tmp_path)
    code = BUILD.replace("import sys\n", "import sys, os\nos.environ.update(TELEGRAM_BOT_TOKEN='123:' + 'A' * 35, "
                         f"DATABASE_URL={url!r}, AUTO_REMIND='false')\n")
    assert heavy_among(set(run_python(code, cwd=tmp_path).split())) == []
    later = run_python(code + "from reports import heavy\nprint(heavy.render_recap_charts.__module__, "
                       "'matplotlib' in sys.modules)\n", cwd=tmp_path)
    assert later.splitlines()[-1] == "reports.recap_charts True"


CONCURRENT = """
import sys, threading
from reports import heavy
barrier, found, errors = threading.Barrier(6), [], []
def first_use(name):
    barrier.wait()
    try:
        found.append((name, getattr(heavy, name)))
    except Exception as exc:
        errors.append(repr(exc))
names = ["draw_album", "AlbumData", "render_recap_charts", "draw_album", "render_laporan", "export_files"]
threads = [threading.Thread(target=first_use, args=(name,)) for name in names]
[thread.start() for thread in threads]
[thread.join() for thread in threads]
same = all(value is getattr(sys.modules[heavy._MODULE_OF[name]], name) for name, value in found)
print(errors, len(found), same, len({id(value) for name, value in found if name == "draw_album"}))
"""


def test_concurrent_first_uses_load_each_module_once(tmp_path):
    """Six threads ask for names of four heavy modules at the same moment (two for the same name): each gets the
    object of the one module imported, without an error (Python's import lock makes the others wait)."""
    assert run_python(CONCURRENT, cwd=tmp_path).split() == ["[]", "6", "True", "1"]
