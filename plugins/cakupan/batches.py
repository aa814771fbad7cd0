"""The batch manifest: which files one mapped load task takes, written by ``discover``.

Tasks pass only the manifest's path (XCom stays small); ``load_files`` and ``reconcile``
read it back through :meth:`Batch.read`, the one reader. :func:`plan` cuts the new files
into batches and is pure, so its rules are tested without a landing folder.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cakupan.landing import LandingFile

# Files per mapped load task: enough for a pass's fixed cost to vanish, few enough that
# Celery workers share the work. A big file (a register, an export) gets a task of its own.
BATCH_FILES = 500
BATCH_BYTES = 64 << 20


@dataclass(frozen=True)
class BatchFile:
    name: str  # as the ledger records it
    sha256: str
    path: str  # relative to the source's landing folder, "/" separators


@dataclass(frozen=True)
class Batch:
    source: str
    received_date: dt.date
    run_id: str
    landing_dir: Path
    files: tuple[BatchFile, ...]

    @classmethod
    def of(
        cls, source: str, received: dt.date, run_id: str, landing: Path, files: list[LandingFile]
    ) -> Batch:
        root = landing / source
        return cls(
            source,
            received,
            run_id,
            landing,
            tuple(BatchFile(f.name, f.sha256, f.path.relative_to(root).as_posix()) for f in files),
        )

    def write(self, path: Path) -> None:
        data = {
            "source": self.source,
            "received_date": self.received_date.isoformat(),
            "run_id": self.run_id,
            "landing_dir": str(self.landing_dir),
            "files": [vars(f) for f in self.files],
        }
        path.write_text(json.dumps(data, indent=1), encoding="utf-8")

    @classmethod
    def read(cls, path: str | Path) -> Batch:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            data["source"],
            dt.date.fromisoformat(data["received_date"]),
            data["run_id"],
            Path(data["landing_dir"]),
            tuple(BatchFile(**f) for f in data["files"]),
        )

    def landing_files(self) -> list[LandingFile]:
        """The batch's files, each proven to lie inside the source's landing folder."""
        root = (self.landing_dir / self.source).resolve()
        files = []
        for f in self.files:
            path = root / f.path
            if not path.resolve().is_relative_to(root):
                raise ValueError(f"manifest names a file outside the landing folder: {f.name}")
            files.append(LandingFile(self.source, f.name, f.sha256, path))
        return files


def plan(
    sized: Sequence[tuple[LandingFile, int]],
    max_files: int = BATCH_FILES,
    max_bytes: int = BATCH_BYTES,
) -> list[list[LandingFile]]:
    """New files (with their sizes in bytes) cut into batches, in name order.

    Files with the same content stay in one batch, so the first loads and the others are
    recorded as its duplicates instead of racing it in another task. A batch closes at
    ``max_files`` files or ``max_bytes`` bytes; a group bigger than that is a batch alone.
    """
    by_content: dict[str, list[tuple[LandingFile, int]]] = defaultdict(list)
    for item in sized:
        by_content[item[0].sha256].append(item)
    groups = sorted(by_content.values(), key=lambda g: g[0][0].name)
    batches: list[list[LandingFile]] = [[]]
    size = 0
    for group in groups:
        group_size = sum(n for _, n in group)
        if batches[-1] and (len(batches[-1]) >= max_files or size + group_size > max_bytes):
            batches.append([])
            size = 0
        batches[-1].extend(f for f, _ in group)
        size += group_size
    return [b for b in batches if b]
