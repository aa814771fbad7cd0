"""Reading a landing file into raw cells, with the row numbers a person sees (CONTRACT §2, §3).

What a file *is* comes from its first bytes, not its name: xlsx is a zip (``PK\\x03\\x04``),
xls an OLE container (``\\xD0\\xCF\\x11\\xE0``), anything else that looks like text is read as
CSV. So a CSV saved under an ``.xlsx`` name (any case) is still read, while garbage under any
name is rejected as unreadable; so is a text file under an Excel name without a header.

Row numbers: the header sits on its sheet row (title rows above it count); the first data row
is the next one. A row whose recognised cells are all empty (blank line, a row of bare
delimiters, an empty sheet row) is dropped but keeps its number, so later numbers never
shift. "Recognised" means the spec's columns found in the header: values only in columns the
contract ignores (a pre-filled "No" column, a lookup formula) do not make a data row.

CSV specifics: the header is looked for in the first 15 records with each candidate delimiter
(comma, semicolon, tab) and the delimiter that finds it wins. Encoding is UTF-8 (BOM or not)
unless the bytes are not valid UTF-8, then Windows-1252; a UTF-16 BOM (Excel's "Unicode
text", tab-separated) gets the file streamed to a temporary UTF-8 copy first. Every cell is
read as text into Arrow-backed strings (``string[pyarrow]``, missing = NA), so "0012" stays
"0012". Arrow's CSV reader takes the usual well-formed file (the 4-million-row poverty list
in seconds, no Python loops); a file it refuses (ragged rows, Windows-1252) goes through
pandas' C parser, which gives the same result. A row number counts CSV records, so a quoted
cell spanning lines is still one row.

Big CSV files are read in chunks of ``rows`` records (:func:`read_chunks`): Arrow's streaming
reader, or pandas' chunked C parser, so memory stays flat however long the file is. A file
the Arrow reader refuses only after it has yielded chunks raises :class:`ReadAgain`; the
caller drops what it has and reads the file again with ``careful=True`` (the whole file's
encoding checked first, then pandas). Row numbers run on across chunks.

Excel specifics: python-calamine returns typed cells (float for numbers, date/datetime for
date cells, str for text, formulas as their cached values); those values are kept as Python
objects so the NIK rules can tell a numeric cell from a text cell. A formula whose file
holds no cached value (written by a tool that does not compute) and an error value (#N/A)
both arrive empty. A merged range shows its value in every cell it spans, as on screen.
Hidden rows and columns are read like any other. The first visible sheet whose first 15
non-empty-area rows hold a full header is read (a hidden sheet only when no visible one
has one); calamine's ``sheet.start`` gives the offset of leading empty rows, so numbers
stay true sheet row numbers. A workbook saved with a password is rejected saying so, not
as merely unreadable.

OS errors (file missing, no permission) are not the operator's fault and propagate.
"""

from __future__ import annotations

import codecs
import csv
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cakupan.logs import get_logger
from cakupan.sources.errors import FileRejected
from cakupan.sources.headers import HEADER_SEARCH_ROWS, best_header_row, missing_required
from cakupan.sources.specs import SourceSpec

if TYPE_CHECKING:
    import pandas as pd

log = get_logger(__name__)

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls")
CSV_DELIMITERS = (",", ";", "\t")
CSV_TEXT_DTYPE = "string[pyarrow]"
# The header must lie in the first 15 records; 1 MiB holds them unless a title cell is huge.
_HEAD_BYTES = 1 << 20
_TRANSCODE_CHUNK = 1 << 20
_CSV_BLOCK = 8 << 20  # Arrow reads (and parses in parallel) 8 MiB at a time
_ENCRYPTION_INFO = "EncryptionInfo\0".encode("utf-16-le")
_ENCRYPTION_INFO_SIZE = len(_ENCRYPTION_INFO).to_bytes(2, "little")
_PHYSICAL_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+\Z")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CSV_FILLER = re.compile(r'[\s,;"\ufeff]+')


@dataclass
class RawTable:
    """Raw cells of one file (or one chunk of it): canonical columns found, plus
    ``row_number`` (int)."""

    frame: pd.DataFrame
    header_row: int  # 1-based sheet row of the header
    columns_found: tuple[str, ...]


class ReadAgain(Exception):
    """The fast CSV reader refused the file after yielding chunks: read it again with
    ``careful=True`` and discard what the first attempt produced."""


def read_table(path: Path, spec: SourceSpec) -> RawTable:
    """Read ``path`` as a ``spec`` file, or raise :class:`FileRejected` saying why not."""
    (table,) = read_chunks(path, spec)
    return table


def read_chunks(
    path: Path, spec: SourceSpec, rows: int | None = None, careful: bool = False
) -> Iterator[RawTable]:
    """The file as chunks of at most ``rows`` records (one chunk when None; a workbook is
    always one). Raises :class:`FileRejected` saying why a file cannot be read, possibly
    after some chunks, and :class:`ReadAgain` (see the module docstring)."""
    path = Path(path)
    with path.open("rb") as fh:
        magic = fh.read(8)
    total = 0
    try:
        if not magic:
            raise FileRejected.empty()
        if magic.startswith((XLSX_MAGIC, XLS_MAGIC)):
            chunks: Iterator[RawTable] = iter((_read_excel(path, spec),))
            kind = "excel"
        elif path.suffix.lower() in EXCEL_EXTENSIONS:
            chunks = _read_misnamed_csv(path, spec, rows, careful)
            kind = "csv"
        else:
            chunks = _read_csv(path, spec, rows, careful)
            kind = "csv"
        for table in chunks:
            total += len(table.frame)
            yield table
    except FileRejected as exc:
        log.warning("landing_file_rejected", file=path.name, source=spec.name, code=exc.code)
        raise
    log.info(
        "landing_file_read",
        file=path.name,
        source=spec.name,
        format=kind,
        header_row=table.header_row,
        rows=total,
        columns=list(table.columns_found),
    )


def _read_misnamed_csv(
    path: Path, spec: SourceSpec, rows: int | None, careful: bool
) -> Iterator[RawTable]:
    """An Excel-named file that is not a workbook: fine if it is a CSV with the header.

    Without a recognisable header it is most likely something else saved under an Excel
    name (an HTML "xls" export, a renamed document), so the operator is told the file is
    not readable as Excel rather than that a header is missing.
    """
    try:
        yield from _read_csv(path, spec, rows, careful)
    except FileRejected as exc:
        if exc.code == "no_header":
            raise FileRejected.unreadable() from exc
        raise


# --------------------------------------------------------------------------- shared


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _choose_header(
    candidates: Sequence[tuple[Any, Sequence[Sequence[object]]]], spec: SourceSpec
) -> tuple[Any, int, dict[str, int]]:
    """Pick (candidate, header index, matches) among sheets / delimiters.

    The first candidate with every required column wins; otherwise the file is rejected
    naming the columns missing from the best partial header, or as having no header.
    """
    partial: tuple[int, Sequence[Sequence[object]], int, dict[str, int]] | None = None
    for candidate, rows in candidates:
        best = best_header_row(rows, spec)
        if best is None:
            continue
        index, matched = best
        missing = missing_required(matched, spec)
        if not missing:
            return candidate, index, matched
        count = len(spec.required) - len(missing)
        if partial is None or count > partial[0]:
            partial = (count, rows, index, matched)
    if partial is not None:
        _, rows, index, matched = partial
        village = _village_of(rows[index + 1 :], matched.get("village_code"))
        raise FileRejected.missing_columns(missing_required(matched, spec), spec, village)
    raise FileRejected.no_header(spec.required, HEADER_SEARCH_ROWS)


def _village_of(rows: Sequence[Sequence[object]], position: int | None) -> str | None:
    """The village a rejected file is from: the official code its village-code column
    names most often in the rows read so far (cleaned by the rules' own macro), if any."""
    if position is None:
        return None
    cells = [r[position] for r in rows if len(r) > position and not _is_blank(r[position])]
    if not cells:
        return None
    import pandas as pd

    from cakupan.sources.normalise import clean_village
    from cakupan.warehouse.schema import village_codes

    texts = [str(int(c)) if isinstance(c, float) and c.is_integer() else str(c) for c in cells]
    known = village_codes()
    codes = [c for c in clean_village(pd.Series(texts, dtype=object)) if c in known]
    return Counter(codes).most_common(1)[0][0] if codes else None


def _finish(
    frame: pd.DataFrame,
    header_row: int,
    matched: dict[str, int],
    spec: SourceSpec,
    first_data_row: int | None = None,
) -> RawTable:
    """Number the rows from the header, then drop rows with every recognised cell empty.

    The first data row is the one under the header unless the header spans more rows.
    """
    import numpy as np

    first = header_row + 1 if first_data_row is None else first_data_row
    frame["row_number"] = np.arange(first, first + len(frame), dtype="int64")
    found = tuple(c.name for c in spec.columns if c.name in matched)
    if len(frame):
        empty = np.ones(len(frame), dtype=bool)
        for name in found:
            empty &= _blank_mask(frame[name])
        if empty.any():
            frame = frame.loc[~empty].reset_index(drop=True)
    return RawTable(frame=frame[[*found, "row_number"]], header_row=header_row, columns_found=found)


def _blank_mask(column: pd.Series) -> Any:
    """True where a cell is missing or only whitespace (vectorised for text columns)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if column.dtype == object:
        return np.fromiter((_is_blank(v) for v in column), dtype=bool, count=len(column))
    text = pa.array(column.astype(CSV_TEXT_DTYPE).array)
    blank = pc.equal(pc.utf8_trim_whitespace(text), "").fill_null(True)
    return blank.to_numpy(zero_copy_only=False)


# --------------------------------------------------------------------------- Excel


def _read_excel(path: Path, spec: SourceSpec) -> RawTable:
    import pandas as pd
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own zoo for corrupt / encrypted files
        log.info("excel_open_failed", file=path.name, error=type(exc).__name__)
        raise _excel_error(exc, path) from exc

    with workbook:
        tops: list[tuple[Any, list[list[object]]]] = []
        failures = 0
        for index in _sheet_order(workbook):
            try:
                sheet = workbook.get_sheet_by_index(index)
                top = _fill_merged(sheet, sheet.to_python(nrows=HEADER_SEARCH_ROWS))
            except Exception as exc:  # e.g. a chart sheet; another sheet may hold the data
                if isinstance(exc, PasswordError):
                    raise FileRejected.password_protected() from exc
                failures += 1
                log.info(
                    "excel_sheet_skipped", file=path.name, sheet=index, error=type(exc).__name__
                )
                continue
            if any(not _is_blank(v) for row in top for v in row):
                tops.append((sheet, top))
        if not tops:
            if failures:
                raise FileRejected.unreadable()
            raise FileRejected.empty()

        sheet, header_index, matched = _choose_header(tops, spec)
        try:
            rows = _fill_merged(sheet, sheet.to_python())
        except Exception as exc:
            raise _excel_error(exc, path) from exc
        first_row = sheet.start[0] if sheet.start else 0
        depth = _header_depth(sheet, header_index, matched, spec)

    data = rows[header_index + 1 + depth :]
    columns: dict[str, Any] = {}
    for name, position in matched.items():
        values = [row[position] if position < len(row) else None for row in data]
        columns[name] = pd.Series(
            [None if v == "" else v for v in values], dtype=object, index=range(len(data))
        )
    frame = pd.DataFrame(columns, index=range(len(data)))
    header_row = first_row + header_index + 1
    return _finish(frame, header_row, matched, spec, first_data_row=header_row + 1 + depth)


def _sheet_order(workbook: Any) -> list[int]:
    """Sheet indexes, visible sheets first: an old list the operator hid is not the one
    they mean to send, so a hidden sheet is read only when no visible one has a header."""
    from python_calamine import SheetVisibleEnum

    try:
        hidden = [m.visible != SheetVisibleEnum.Visible for m in workbook.sheets_metadata]
    except Exception:  # metadata is a nicety; the sheets themselves are what matters
        hidden = [False] * len(workbook.sheet_names)
    return sorted(range(len(hidden)), key=lambda index: (hidden[index], index))


def _header_depth(sheet: Any, header_index: int, matched: dict[str, int], spec: SourceSpec) -> int:
    """Rows under the header row that are part of it: a two-row header.

    When every required column's header cell is merged down over the next rows (and a
    grouped column such as "Alamat" has its sub-headers there), those rows show header
    text in every required column: they are not data. Only when all required cells are
    merged, so a data row can never vanish behind one stray merge.
    """
    merges = sheet.merged_cell_ranges or []
    if not merges:
        return 0
    row0, col0 = sheet.start or (0, 0)
    top = row0 + header_index
    reach: dict[int, int] = {}
    for (r0, c0), (r1, c1) in merges:
        if r0 == top and r1 > top:
            for column in range(c0, c1 + 1):
                reach[column] = max(reach.get(column, 0), r1 - top)
    return min(reach.get(col0 + matched[name], 0) for name in spec.required)


def _excel_error(exc: Exception, path: Path) -> FileRejected:
    """What to tell the operator about a workbook calamine could not read."""
    from python_calamine import PasswordError

    if isinstance(exc, PasswordError) or _is_encrypted_package(path):
        return FileRejected.password_protected()
    return FileRejected.unreadable()


def _is_encrypted_package(path: Path) -> bool:
    """An OLE container holding an ``EncryptionInfo`` stream, whatever the file's name.

    That is what Excel writes for a workbook saved with a password (MS-OFFCRYPTO). calamine
    says so for an ``.xlsx`` name but not for an ``.xls`` one, so the directory is looked
    at here: its 128-byte entries start with the stream name in UTF-16LE, then (at byte
    64) the name's length in bytes, terminator included. The file is mapped, not read.
    """
    import mmap

    with path.open("rb") as fh:
        if fh.read(len(XLS_MAGIC)) != XLS_MAGIC:
            return False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            at = data.find(_ENCRYPTION_INFO)
            while at != -1:
                if at % 128 == 0 and data[at + 64 : at + 66] == _ENCRYPTION_INFO_SIZE:
                    return True
                at = data.find(_ENCRYPTION_INFO, at + 1)
    return False


def _fill_merged(sheet: Any, rows: list[list[object]]) -> list[list[object]]:
    """Give every cell of a merged range the value of its top-left cell, in place.

    A merged cell shows one value across all the rows and columns it spans: a village code
    merged down the rows of its workers, or "Tanggal Lahir" merged over a two-row header.
    calamine gives the value to the top-left cell only; this makes the rows read as a
    person sees them. Ranges are in absolute sheet coordinates; ``rows`` starts at
    ``sheet.start``, and may be only the top of the sheet.
    """
    merges = sheet.merged_cell_ranges or []
    if not merges or not rows:
        return rows
    row0, col0 = sheet.start or (0, 0)
    height, width = len(rows), len(rows[0])
    for (top, left), (bottom, right) in merges:
        r, c = top - row0, left - col0
        if not (0 <= r < height and 0 <= c < width) or _is_blank(rows[r][c]):
            continue
        value = rows[r][c]
        for rr in range(r, min(bottom - row0, height - 1) + 1):
            row = rows[rr]
            for cc in range(c, min(right - col0, len(row) - 1) + 1):
                row[cc] = value
    return rows


# --------------------------------------------------------------------------- CSV


def _csv_head(path: Path) -> tuple[list[bytes], bool]:
    """Complete physical lines (with their endings) of the first MiB, and whether that is all."""
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
        at_eof = not fh.read(1)
    if _looks_binary(head):
        raise FileRejected.unreadable()
    lines = [m.group(0) for m in _PHYSICAL_LINE.finditer(head)]
    if lines and not at_eof and not lines[-1].endswith((b"\n", b"\r")):
        lines.pop()  # cut mid-line by the 1 MiB window
    return lines, at_eof


def _looks_binary(head: bytes) -> bool:
    """NUL or many control bytes: a zip/pdf/image/UTF-16 file, not a CSV a person saved."""
    sample = head[:8192]
    if b"\x00" in sample:
        return True
    return len(_CONTROL_BYTES.findall(sample)) > max(2, len(sample) // 100)


def _decode_lines(lines: list[bytes]) -> tuple[list[str], str]:
    joined = b"".join(lines)
    try:
        joined.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "cp1252"
    texts = [line.decode(encoding, errors="replace") for line in lines]
    if texts and texts[0].startswith("\ufeff"):
        texts[0] = texts[0][1:]
    return texts, encoding


def _records(texts: list[str], delimiter: str) -> tuple[list[list[str]], list[int]]:
    """First records with ``delimiter`` and, for each, the physical lines consumed so far."""
    reader = csv.reader(texts, delimiter=delimiter)
    records: list[list[str]] = []
    ends: list[int] = []
    try:
        for record in reader:
            records.append(record)
            ends.append(reader.line_num)
            if len(records) >= HEADER_SEARCH_ROWS:
                break
    except csv.Error:
        pass  # a malformed title area; keep what was parsed
    return records, ends


def _read_csv(path: Path, spec: SourceSpec, rows: int | None, careful: bool) -> Iterator[RawTable]:
    """A delimited text file; UTF-16 (Excel's "Unicode text") is made UTF-8 first."""
    with path.open("rb") as fh:
        bom = fh.read(2)
    if bom not in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        yield from _read_csv_bytes(path, spec, path.name, rows, careful)
        return
    with tempfile.TemporaryDirectory(prefix="cakupan-utf16-") as folder:
        utf8 = Path(folder) / "utf8.csv"
        _transcode_utf16(path, utf8)
        log.info("csv_utf16_transcoded", file=path.name)
        yield from _read_csv_bytes(utf8, spec, path.name, rows, careful)


def _transcode_utf16(source: Path, target: Path) -> None:
    """UTF-16 with a BOM (either byte order) to UTF-8, a chunk at a time.

    Streaming keeps memory flat whatever the size; the readers then take the UTF-8 copy
    exactly like any other CSV. Unpaired surrogates become U+FFFD rather than failing the
    file: they can only sit inside a cell, which the rules then judge.
    """
    decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
    with source.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(_TRANSCODE_CHUNK):
            dst.write(decoder.decode(chunk).encode("utf-8"))
        dst.write(decoder.decode(b"", final=True).encode("utf-8"))


def _is_utf8(path: Path) -> bool:
    """The whole file decodes as UTF-8 (streamed: memory stays flat)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_TRANSCODE_CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True)
class _Layout:
    """Where the records start and which columns to take: found once from the file's head."""

    label: str  # the landing file's name, for the logs
    offset: int  # byte offset of the first record after the header
    delimiter: str
    width: int  # cells in the header record
    matched: dict[str, int]  # canonical column -> position

    @property
    def names(self) -> list[str]:
        return [f"c{i}" for i in range(self.width)]

    @property
    def wanted(self) -> dict[str, str]:
        """Positional name -> canonical column, in file order."""
        by_position = {position: name for name, position in self.matched.items()}
        return {self.names[p]: by_position[p] for p in sorted(by_position)}


def _read_csv_bytes(
    path: Path, spec: SourceSpec, label: str, rows: int | None, careful: bool
) -> Iterator[RawTable]:
    """Read the CSV at ``path``; ``label`` is the landing file's name, for the logs."""
    lines, at_eof = _csv_head(path)
    texts, encoding = _decode_lines(lines)
    if at_eof and not _CSV_FILLER.sub("", "".join(texts)):
        raise FileRejected.empty()  # nothing but blank lines, bare delimiters or quotes

    parsed = {d: _records(texts, d) for d in CSV_DELIMITERS}
    delimiter, header_index, matched = _choose_header(
        [(d, parsed[d][0]) for d in CSV_DELIMITERS], spec
    )
    records, ends = parsed[delimiter]
    layout = _Layout(
        label=label,
        offset=sum(len(line) for line in lines[: ends[header_index]]),
        delimiter=delimiter,
        width=len(records[header_index]),
        matched=matched,
    )
    if careful and encoding == "utf-8" and not _is_utf8(path):
        encoding = "cp1252"
    # Readers to try in turn: one that refuses the file before yielding anything hands it
    # to the next; once chunks have left, a refusal means reading again (ReadAgain).
    attempts: list[Callable[[], Iterator[pd.DataFrame]]] = []
    if encoding == "utf-8" and not careful:
        attempts.append(lambda: _arrow_csv(path, layout, rows))
    attempts.append(lambda: _pandas_csv(path, layout, rows, encoding))
    if encoding == "utf-8":
        # Valid UTF-8 at the top, not further down: the file as a whole is Windows-1252.
        attempts.append(lambda: _pandas_csv(path, layout, rows, "cp1252"))
    first = header_index + 2  # the record under the header, 1-based
    for attempt in attempts:
        yielded = False
        try:
            for frame in attempt():
                yield _finish(frame, header_index + 1, matched, spec, first_data_row=first)
                yielded = True
                first += len(frame)
            return
        except (_Refused, UnicodeDecodeError) as exc:
            log.info("csv_reader_refused", file=label, error=type(exc).__name__)
            if yielded:
                raise ReadAgain(label) from exc


class _Refused(Exception):
    """Arrow's reader cannot take this file (ragged rows, invalid UTF-8, no records)."""


def _arrow_csv(path: Path, layout: _Layout, rows: int | None) -> Iterator[pd.DataFrame]:
    """The fast path: Arrow's multi-threaded CSV reader, for the usual well-formed file.

    Arrow insists that every record has exactly the header's number of cells and that the
    text is valid UTF-8; when a file breaks either rule (ragged rows, Windows-1252 further
    down, nothing after the header) it raises :class:`_Refused` and pandas reads the file
    instead. A blank line is a row of nulls here too, so both paths number rows the same
    way. Blocks are streamed: a chunk holds ``rows`` records (all when None) in memory.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv

    wanted = layout.wanted

    def frame(batches: list[pa.RecordBatch], schema: pa.Schema) -> pd.DataFrame:
        table = pa.Table.from_batches(batches, schema=schema)
        return pd.DataFrame(
            {
                name: pd.arrays.ArrowStringArray(table.column(column).combine_chunks())
                for column, name in wanted.items()
            },
            index=pd.RangeIndex(table.num_rows),
        )

    with path.open("rb") as fh:
        fh.seek(layout.offset)
        try:
            reader = pacsv.open_csv(
                fh,
                read_options=pacsv.ReadOptions(column_names=layout.names, block_size=_CSV_BLOCK),
                parse_options=pacsv.ParseOptions(
                    delimiter=layout.delimiter, newlines_in_values=True, ignore_empty_lines=False
                ),
                convert_options=pacsv.ConvertOptions(
                    include_columns=list(wanted),
                    column_types={name: pa.large_string() for name in wanted},
                    null_values=[""],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                ),
            )
            pending: list[pa.RecordBatch] = []
            count = 0
            for batch in reader:
                if rows is not None and count and count + batch.num_rows > rows:
                    yield frame(pending, reader.schema)
                    pending, count = [], 0
                pending.append(batch)
                count += batch.num_rows
        except pa.ArrowInvalid as exc:
            raise _Refused(str(exc)) from exc
        yield frame(pending, reader.schema)


def _pandas_csv(
    path: Path, layout: _Layout, rows: int | None, encoding: str
) -> Iterator[pd.DataFrame]:
    """The records after the header, matched columns only, every cell as text.

    ``names`` fixes the row width to the header's, and ``usecols`` makes the C parser
    tolerate rows with extra trailing cells instead of failing the whole file. Windows-1252
    leaves 0x81, 0x8D, 0x8F, 0x90, 0x9D undefined: those bytes are replaced, not fatal.
    """
    import pandas as pd

    wanted = layout.wanted
    with path.open("rb") as fh:
        fh.seek(layout.offset)
        try:
            reader = pd.read_csv(
                fh,
                sep=layout.delimiter,
                header=None,
                names=layout.names,
                usecols=list(wanted),
                index_col=False,
                dtype=CSV_TEXT_DTYPE,
                keep_default_na=False,
                na_values=[""],
                skip_blank_lines=False,
                encoding=encoding,
                encoding_errors="replace" if encoding == "cp1252" else "strict",
                engine="c",
                chunksize=rows,
            )
            frames = reader if rows is not None else (reader,)
            for frame in frames:
                yield frame.rename(columns=wanted).reset_index(drop=True)
        except pd.errors.ParserError as exc:  # e.g. a quote never closed
            log.info("csv_parse_failed", file=layout.label, error=type(exc).__name__)
            raise FileRejected.unreadable() from exc
