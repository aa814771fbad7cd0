"""The landing zone: which files are there, their content hash, and which are new.

A file is identified by its SHA-256 (CONTRACT §2). Files are only ever read here: the
pipeline never moves, renames or deletes anything in the landing zone.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Connection

from cakupan.warehouse.sqlfiles import query_file

_CHUNK = 1 << 20


@dataclass(frozen=True)
class LandingFile:
    source: str
    name: str  # path relative to the source folder, with "/" separators
    sha256: str
    path: Path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# Litter that office programs and file managers leave beside real deliveries, and the names
# delivery tools give a file while it is still arriving. Anything else is read, so nothing a
# village sent is dropped without a word.
_LITTER_PREFIXES = ("~$", ".~", "._")
_LITTER_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_IN_TRANSIT_SUFFIXES = (".part", ".tmp", ".crdownload")


def _is_candidate(path: Path) -> bool:
    """Regular files (no links, FIFOs or folders), minus editor lock and OS litter files and
    files still in transit under a temporary name."""
    name = path.name
    if name in _LITTER_NAMES or name.startswith(_LITTER_PREFIXES):
        return False
    if name.lower().endswith(_IN_TRANSIT_SUFFIXES):
        return False
    return path.is_file() and not path.is_symlink()


def settling(files: list[LandingFile], settle_seconds: int, now: float) -> list[LandingFile]:
    """The files modified less than ``settle_seconds`` before ``now``: maybe still being
    copied, so they wait for the next run (a file that vanished meanwhile waits too)."""
    waiting = []
    for f in files:
        try:
            modified = f.path.stat().st_mtime
        except OSError:
            waiting.append(f)
            continue
        if now - modified < settle_seconds:
            waiting.append(f)
    return waiting


def storable_name(relative: str) -> str:
    """A name the warehouse can store. A name that is not UTF-8 (a zip unpacked on Windows
    leaves Windows-1252 bytes, "Désa" as 0xE9) is shown with its bytes read as Windows-1252;
    the file itself is still opened by its real path."""
    try:
        relative.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(relative).decode("cp1252", errors="replace")
    return relative


def scan(landing_dir: Path, source: str) -> list[LandingFile]:
    """Every candidate file below ``landing_dir/source``, sorted by name for a stable order."""
    folder = landing_dir / source
    if not folder.is_dir():
        return []
    files = []
    for path in sorted(folder.rglob("*")):
        if not _is_candidate(path):
            continue
        try:
            digest = sha256_of(path)
        except OSError:
            continue  # vanished or unreadable while scanning: the next run sees it again
        relative = path.relative_to(folder).as_posix()
        files.append(LandingFile(source, storable_name(relative), digest, path))
    return files


@dataclass
class Ledger:
    """What the ledger has recorded of one source: the one place that says whether a file
    is new (CONTRACT §2: a file is its name and its SHA-256).

    Discovery asks it which files to take; ingest asks it again under the source's lock,
    where a file another worker recorded meanwhile is passed over and a content already
    *loaded* under another name makes the file a duplicate. A content that was only ever
    rejected is judged again: the file gets its own verdict, not someone else's.
    """

    source: str
    names: dict[str, list[str]] = field(default_factory=dict)  # sha256 -> names, earliest first
    loaded: set[str] = field(default_factory=set)  # sha256 of contents loaded once

    @classmethod
    def read(cls, conn: Connection, source: str) -> Ledger:
        ledger = cls(source)
        for row in query_file(conn, "staging/ledger_files.sql", {"source": source}):
            ledger.note(row.file_name, row.sha256, row.status)
        return ledger

    def recorded(self, name: str, sha256: str) -> bool:
        """This name with this content is in the ledger: the file is not read again."""
        return name in self.names.get(sha256, ())

    def already_loaded(self, sha256: str) -> bool:
        """This content was loaded before (under another name): the file is its duplicate."""
        return sha256 in self.loaded

    def note(self, name: str, sha256: str, status: str) -> None:
        """Count a file as recorded (by this run, before its transaction commits)."""
        self.names.setdefault(sha256, []).append(name)
        if status == "loaded":
            self.loaded.add(sha256)

    def unrecorded(self, files: list[LandingFile]) -> list[LandingFile]:
        """The files whose (name, content) pair the ledger has not seen."""
        return [f for f in files if not self.recorded(f.name, f.sha256)]
