"""Where a task's time goes: named phases (read, validate, write, ...) summed per task.

Engineers watching runs see them in the task log (``task_timings``); with
``CAKUPAN_METRICS_FILE`` set (the benchmark sets it) each task also appends one JSON line
there, so a run's stages can be measured from outside the process without parsing logs.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cakupan.logs import get_logger

log = get_logger(__name__)

# Phases that decide a row's verdict: the row pass of the SQL rules.
VALIDATION_PHASES = ("judge",)


class Clock:
    """Seconds per phase; phases nest only by being named apart (no double counting).

    One phase runs beside the others rather than between them: ``write_background``, the
    worker thread's time inserting a streamed file's chunks (``write`` is only what the
    task waited for it), so a load's phases can add up to more than its wall time.
    """

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self._began = time.perf_counter()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - began

    def add(self, name: str, seconds: float) -> None:
        """Time measured elsewhere (another thread's), counted under ``name``."""
        self.seconds[name] += seconds

    @property
    def wall(self) -> float:
        return time.perf_counter() - self._began


def record_task(
    stage: str, clock: Clock, metrics_file: Path | None = None, **fields: Any
) -> dict[str, Any]:
    """Log the task's timings and, when a metrics file is configured (the benchmark's
    ``CAKUPAN_METRICS_FILE``), append them to it as a JSON line."""
    entry: dict[str, Any] = {
        "stage": stage,
        "wall_s": round(clock.wall, 3),
        "phases_s": {k: round(v, 3) for k, v in sorted(clock.seconds.items())},
        **fields,
    }
    log.info("task_timings", **entry)
    if metrics_file is not None:
        with metrics_file.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, default=str) + "\n")
    return entry
