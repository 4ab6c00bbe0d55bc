"""The stored copies of evidence files on disk: where each is, its size, its name, and the orphans.

A copy is kept as `<evidence folder>/<period id>/<indicator id>/<Telegram's unique file id><extension>`, and the
row's `stored_path` says where it was written (relative to the working directory of the process that wrote it,
or absolute). It is found again from its last three parts under the configured folder (`stored_file`), so the
folder may move and the CLI may run from elsewhere.

A file on disk that no evidence row names is an orphan (an upload refused or failed after the download, a
crash between the two): `remove_orphans` deletes it once it is older than `ORPHAN_AGE`, so a file being
downloaded while its row is not committed yet, in this process or another, is never taken for one. File ages are
the file system's own (its modification times against the wall clock), not the bot's clock.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

from models.collection.realisasi import EvidenceKind, clean_file_name

log = logging.getLogger(__name__)
ORPHAN_AGE = 3600.0  # seconds a file without a row is left alone
LAYOUT_DEPTH = 3  # period / indicator / file
_SAFE_ID = re.compile(r"[^A-Za-z0-9_-]")
_SAFE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}")
DEFAULT_SUFFIX = {EvidenceKind.PHOTO: ".jpg", EvidenceKind.DOCUMENT: ".bin"}


def suffix_of(file_name: str | None, kind: EvidenceKind, stored_path: str | None = None) -> str:
    """A short, safe extension for a file: its name's, else its stored copy's, else the kind's default."""
    for name in (file_name, stored_path):
        suffix = Path(name).suffix.lower() if name else ""
        if _SAFE_SUFFIX.fullmatch(suffix):
            return suffix
    return DEFAULT_SUFFIX.get(kind, ".bin")


def copy_path(folder: Path, period_id: int, indicator_id: int, unique_id: str, file_name: str | None,
              kind: EvidenceKind) -> Path:
    """Where a new upload's copy goes: a short name made of safe characters only, whatever the sender named it."""
    stem = _SAFE_ID.sub("_", unique_id)[:64] or "file"
    return folder / str(period_id) / str(indicator_id) / f"{stem}{suffix_of(clean_file_name(file_name), kind)}"


def stored_file(folder: Path, stored_path: str) -> Path:
    """The stored copy of `stored_path` under the configured folder (see the module docstring)."""
    return folder.joinpath(*Path(stored_path).parts[-LAYOUT_DEPTH:])


def stored_size(folder: Path, stored_path: str) -> int:
    """The size of a stored copy in bytes; 0 when it is gone."""
    try:
        return stored_file(folder, stored_path).stat().st_size
    except OSError:
        return 0


def read_stored(folder: Path, stored_path: str | None) -> bytes | None:
    """The bytes of a stored copy, or None when there is none (or it cannot be read)."""
    if not stored_path:
        return None
    try:
        return stored_file(folder, stored_path).read_bytes()
    except OSError:
        return None


def remove_orphans(folder: Path, stored_paths: Iterable[str], *, min_age: float = ORPHAN_AGE,
                   now: float | None = None) -> list[Path]:
    """Delete the files of the evidence layout that no row names and that are older than `min_age` seconds, and
    the folders they leave empty; returns the files deleted."""
    if not folder.is_dir():
        return []
    known = {Path(path).parts[-LAYOUT_DEPTH:] for path in stored_paths}
    moment = time.time() if now is None else now
    removed = []
    for path in folder.glob("*/*/*"):
        if not path.is_file() or path.relative_to(folder).parts in known:
            continue
        try:
            if moment - path.stat().st_mtime < min_age:
                continue
            path.unlink()
        except OSError as exc:
            log.warning("cannot remove the orphan evidence file %s: %s", path, exc)
            continue
        removed.append(path)
    for directory in sorted({path.parent for path in removed} | {path.parent.parent for path in removed},
                            key=lambda p: len(p.parts), reverse=True):
        with suppress(OSError):
            directory.rmdir()  # only when empty
    if removed:
        log.info("removed %d orphan evidence file(s) from %s", len(removed), folder)
    return removed
