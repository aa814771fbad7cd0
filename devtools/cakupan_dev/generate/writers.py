"""Byte-exact writers: CSV in the dialects villages send, and reproducible xlsx files."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class XCell:
    """An xlsx cell with a number format (real dates, NIKs typed as numbers)."""

    value: object
    number_format: str | None = None


def csv_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    newline: str = "\r\n",
) -> bytes:
    """Rows of text (None = empty cell, [] = an all-empty row) as one encoded CSV file."""
    width = len(header)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    for row in rows:
        if not row:
            writer.writerow([""] * width)
        else:
            writer.writerow(["" if c is None else c for c in row])
    return buf.getvalue().encode(encoding)


def xlsx_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    when: datetime,
    sheet: str = "Sheet1",
    creator: str = "Operator Desa",
    text_columns: Sequence[int] = (),
) -> bytes:
    """One worksheet; header on row 1; [] rows stay empty but take their row number.

    openpyxl stamps the save time into docProps/core.xml and every zip member; both are
    fixed to ``when`` so the same scenario gives the same bytes.
    """
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(header))
    r = 1
    text_cols = set(text_columns)
    for row in rows:
        r += 1
        if not row:
            ws.append([])
            continue
        ws.append([c.value if isinstance(c, XCell) else c for c in row])
        for idx, c in enumerate(row, 1):
            if isinstance(c, XCell) and c.number_format:
                ws.cell(row=r, column=idx).number_format = c.number_format
            elif idx in text_cols and isinstance(c, str):
                ws.cell(row=r, column=idx).number_format = "@"
    wb.properties.creator = creator
    wb.properties.lastModifiedBy = creator
    wb.properties.created = when
    wb.properties.modified = when
    raw = io.BytesIO()
    ExcelWriter(wb, _StampedZip(raw, when)).save()
    return raw.getvalue()


class _StampedZip(zipfile.ZipFile):
    """A zip whose members all carry one fixed timestamp (openpyxl would use the clock)."""

    def __init__(self, file: io.BytesIO, when: datetime) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self._stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)

    def writestr(
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: bytes | str,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = zinfo_or_arcname.filename
        member = zipfile.ZipInfo(zinfo_or_arcname, date_time=self._stamp)
        member.compress_type = zipfile.ZIP_DEFLATED
        member.create_system = 0
        member.external_attr = 0
        super().writestr(member, data)

    def write(
        self,
        filename: str | os.PathLike[str],
        arcname: str | os.PathLike[str] | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        """openpyxl writes each worksheet from a temporary file."""
        with open(filename, "rb") as fh:
            self.writestr(os.fspath(arcname or filename), fh.read())
