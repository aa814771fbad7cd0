"""Slow imports done on a second thread while the warehouse works.

The snapshot task needs GX for its audit (3 to 4 s to import with compiled bytecode, about
as long as the audit's own checks) and Splink for the linkage, but only after the core SQL models,
which spend their time inside the warehouse (PostgreSQL's server, or DuckDB's threads with
the GIL released). Importing on a background thread meanwhile takes that time off the
task's wall clock. One thread runs the steps in order, so the steps never import side by
side with each other; a step's error is raised again where the caller waits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Preload:
    """Runs ``steps`` on a background thread from construction; :meth:`wait` joins it."""

    def __init__(self, *steps: Callable[[], object]) -> None:
        self._steps = steps
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="cakupan-preload")
        self._thread.start()

    def _run(self) -> None:
        try:
            for step in self._steps:
                step()
        except BaseException as exc:  # raised again by wait(), in the caller's thread
            self._error = exc

    def wait(self) -> None:
        """Block until every step ran; raise the first step's error, if one failed."""
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
