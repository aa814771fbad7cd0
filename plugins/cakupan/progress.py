"""Progress of long work, for whoever listens.

``cakupan run`` on a terminal listens and draws it as one live line (files and rows read
per source), so a 4-million-row register does not look like a hang. The tasks run in the
command's own process (``dag.test``), so a listener is a plain callable; under a real
Airflow worker, or a piped run, nobody listens and a report costs one list check.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

# Hears (source, files done, rows read so far) of the ingest under way.
Listener = Callable[[str, int, int], None]

_listeners: list[Listener] = []


@contextlib.contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """``listener`` hears every report made while the block runs."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


class SourceProgress:
    """The running count of one source's ingest: rows as each file or chunk is read, a file
    when it is done (recorded, whatever its verdict)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.files = 0
        self.rows = 0

    def rows_read(self, rows: int) -> None:
        self.rows += rows
        self._tell()

    def file_done(self) -> None:
        self.files += 1
        self._tell()

    def _tell(self) -> None:
        for listener in _listeners:
            listener(self.source, self.files, self.rows)
