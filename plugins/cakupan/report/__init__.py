"""The coverage report: one self-contained HTML page per snapshot date and language.

``write_report`` reads the published mart tables and writes ``<date>.html`` (Bahasa
Indonesia), ``<date>.en.html`` (English) and ``index.html`` listing every date present in
the folder. Cheap to import (DAG files import it at parse time): Altair, Jinja and
vl-convert are imported only when a report is written.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from cakupan.logs import get_logger
from cakupan.report.data import SnapshotNotFoundError, snapshot_dates

__all__ = [
    "ReportResult",
    "SnapshotNotFoundError",
    "data_docs_href",
    "snapshot_dates",
    "write_report",
]

log = get_logger(__name__)


@dataclass(frozen=True)
class ReportResult:
    """What one ``write_report`` call wrote."""

    as_of: dt.date
    pages: dict[str, Path]  # language code -> page
    index: Path

    @property
    def paths(self) -> list[Path]:
        return [*self.pages.values(), self.index]


def data_docs_href(out_dir: Path, as_of: dt.date) -> str | None:
    """A link from ``out_dir`` to the GX Data Docs of the snapshot of ``as_of``, if built.

    The Data Docs are optional: if their module is absent or fails, the report is still
    written, only without the link.
    """
    try:
        from cakupan.checks.data_docs import data_docs_index
    except ImportError:
        return None
    try:
        index = data_docs_index(as_of)
    except Exception as exc:  # the link is a convenience; never fail the report for it
        log.warning("report_data_docs_unavailable", error=str(exc))
        return None
    if index is None or not Path(index).is_file():
        return None
    index = Path(index).resolve()
    try:
        return Path(os.path.relpath(index, out_dir.resolve())).as_posix()
    except ValueError:  # another drive on Windows: no relative path exists
        return index.as_uri()


def write_report(
    engine: Engine, as_of: dt.date, out_dir: Path, single_file: bool = False
) -> ReportResult:
    """Write both language pages for ``as_of`` and refresh ``index.html`` in ``out_dir``.

    The charts' library is one script file beside the pages, shared by every date (a page
    is then about 100 KB instead of 1 MB); ``single_file`` puts it inside each page instead,
    for a page sent on its own. Idempotent: the same marts give byte-identical files, each
    swapped in atomically. Raises :class:`SnapshotNotFoundError` when no snapshot was built
    for ``as_of``.
    """
    from cakupan.report.data import load_report_data, with_province_name
    from cakupan.report.labels import DEFAULT_LANGUAGE, LANGUAGES, labels, page_name
    from cakupan.report.page import (
        render_index,
        render_page,
        vega_bundle,
        vega_script_name,
        write_atomic,
    )

    out_dir = Path(out_dir)
    data = load_report_data(engine, as_of, labels(DEFAULT_LANGUAGE)["province"])
    href = data_docs_href(out_dir, as_of)
    vega_src = None
    if not single_file:
        vega_src = vega_script_name()
        shared = out_dir / vega_src
        if not shared.is_file():
            write_atomic(shared, vega_bundle())
    pages: dict[str, Path] = {}
    for lang in LANGUAGES:
        localised = with_province_name(data, labels(lang)["province"])
        pages[lang] = write_atomic(
            out_dir / page_name(as_of, lang), render_page(localised, lang, href, vega_src)
        )
    index = write_atomic(out_dir / "index.html", render_index(out_dir))
    log.info(
        "report_written",
        as_of=as_of.isoformat(),
        out_dir=str(out_dir),
        regencies=len(data.regencies),
        follow_up=len(data.follow_up),
    )
    return ReportResult(as_of, pages, index)
