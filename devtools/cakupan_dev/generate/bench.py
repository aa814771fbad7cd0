"""A province-scale benchmark landing set, written fast, with the outcome expected of every file.

``generate_bench(out)`` writes two delivery days under ``out/deliveries/<day>/<source>/``:

* day 1 (2025-07-01, cold start): 2,850 village workbooks of 100 proposed workers each, one
  4-million-row poverty register extract (semicolon CSV) and one 1.5-million-row membership
  export (comma CSV);
* day 2 (2025-07-02, increment): 50 workbooks from villages not seen on day 1 and a full new
  membership export (same accounts, ~2 % new ones, most paid_through advanced by a month).

Everything scales linearly with ``scale``; the poverty extract also with ``poverty_factor``.
``out/manifest.json`` lists every file (rows, dialect, SHA-256) and the outcome CONTRACT §3
requires of it: rows read, loaded, rejected by reason, and the flags of loaded rows. Those
expectations follow from what was injected, not from running the pipeline.

Unlike the scenario generator (row by row, with a truth file per row) this one is built for
size: people are numpy arrays, the CSVs are formatted with Arrow string kernels a chunk of
``CHUNK_ROWS`` at a time straight from the Arrow buffers (memory stays flat whatever the
poverty factor), and workbooks come from a minimal xlsx writer (zip + sheet XML with inline
strings, numeric cells and date-styled serials) at about 2 ms each, against 30-40 ms for
openpyxl. Beyond scale ~1.1 the province has no villages left, so workbooks get longer.

NIKs are unique per person without a global set: a NIK is district + birth date (+40 for
women) + a 4-digit serial, and every population (the workers, each poverty chunk, the
members) takes serials from its own band, ranked within each (district, birth date, sex)
prefix. The same seed gives the same bytes.

The mess is limited and each piece is placed so its outcome is known: numeric NIK cells in
a few workbooks (nik_numeric_cell), dotted village codes (load), Excel date cells with some
text dates in Indonesian or dd/mm/yyyy (load), ~0.5 % defective rows (missing_required,
invalid_nik, unknown_village), one in-file repeat in a few workbooks (duplicate_in_file), a few
workers proposed by two villages (both load), and a few defective CSV rows per source.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cakupan.logs import get_logger
from cakupan.settings import load_settings
from cakupan.sources.specs import REASONS, SEGMENTS, STATUSES
from cakupan_dev.generate.cells import (
    BULAN,
    EXCEL_DATE_FORMATS,
    INVALID_NIK_VARIANTS,
    bad_nik,
    header_label,
    nik_flags,
    nik_is_valid,
    type_nik,
)
from cakupan_dev.generate.members import HEADER as MEMBER_HEADER
from cakupan_dev.generate.model import safe_name
from cakupan_dev.generate.people import (
    ACCENTED_FEMALE,
    ACCENTED_MALE,
    FEMALE_FAMILY,
    FEMALE_GIVEN,
    MALE_FAMILY,
    MALE_GIVEN,
    OCCUPATIONS_FEMALE,
    OCCUPATIONS_MALE,
    OUTSIDE_DISTRICTS,
    PHONE_PREFIXES,
    ROMAN,
    STREET_WORDS,
    Weighted,
)
from cakupan_dev.generate.region import load_region
from cakupan_dev.generate.scenario import delivered_at
from cakupan_dev.generate.submissions import HEADERS as SUBMISSION_HEADERS

log = get_logger(__name__)

GENERATOR = "cakupan_dev.generate.bench"
VERSION = "2"  # 2: NIK typos and look-alikes
DAYS = (date(2025, 7, 1), date(2025, 7, 2))
SUBMISSIONS, POVERTY, MEMBERS = "village_submissions", "poverty_lists", "member_exports"
SOURCES = (SUBMISSIONS, POVERTY, MEMBERS)

# Sizes at scale 1.0.
DAY1_VILLAGES, DAY2_VILLAGES, ROWS_PER_WORKBOOK = 2850, 50, 100
POVERTY_ROWS, MEMBER_ROWS = 4_000_000, 1_500_000
CHUNK_ROWS = 250_000

# How the sources overlap (shares of the distinct proposed workers).
IN_POVERTY, MEMBERS_DAY1, ENROLLED_DAY2 = 0.85, 0.10, 0.06
NEW_ACCOUNTS_DAY2 = 0.02  # of day 1's accounts

# Mess. Counts are round(share * n), at least one once n reaches MESS_FLOOR rows / files.
NUMERIC_NIK_WORKBOOKS = 0.02
REPEAT_WORKBOOKS = 0.03  # one row repeats an earlier row's worker: duplicate_in_file
CROSS_VILLAGE = 0.001  # rows whose worker another village also proposes (both load)
DOTTED_WORKBOOKS = 0.25
TEXT_DATE_WORKBOOKS = {"long": 0.10, "dmy_slash": 0.10}  # the others use Excel date cells
TEXT_DATES_IN_EXCEL = 0.02  # rows typed as text inside an Excel-date workbook
TITLE_WORKBOOKS = 0.15  # a title row above the header
ROW_DEFECTS = {"missing_required": 0.0015, "invalid_nik": 0.002, "unknown_village": 0.0015}
POVERTY_DEFECTS = {
    "missing_required": 0.0002,
    "invalid_nik": 0.0002,
    "unknown_village": 0.0001,
    "invalid_value": 0.0001,
}
POVERTY_DOTTED, POVERTY_NO_BIRTH = 0.2, 0.01
MEMBER_DEFECTS = {
    "missing_required": 0.0001,
    "invalid_nik": 0.0001,
    "invalid_kpj": 0.0002,
    "invalid_value": 0.0001,
    "duplicate_in_file": 0.0001,
}
MESS_FLOOR = {"files": 5, "rows": 500}
# Probable matches (core/065_probable_match): of day 1's loaded text-NIK rows of workers who
# are members on day 1, TYPO_SHARE carry a NIK typo (half one digit changed, half two
# adjacent digits swapped; always a NIK that loads); for LOOKALIKE_SHARE of them another
# worker of the same workbook becomes a look-alike: the same name, born a year apart, so
# that their own correct NIK differs from the member's in one digit of the year.
TYPO_SHARE, LOOKALIKE_SHARE = 0.05, 0.05

POVERTY_HEADER = ("NIK", "No KK", "Nama", "Tanggal Lahir", "Kode Desa", "Desil")
HOUSEHOLD_SIZES = Weighted(range(1, 7), (10, 15, 25, 25, 15, 10))
POOR_DECILES = Weighted(range(1, 11), (16, 15, 14, 12, 11, 9, 8, 6, 5, 4))
WORKER_DECILES = Weighted(range(1, 11), (22, 20, 18, 12, 8, 6, 5, 4, 3, 2))
# Values from the spec's lists (SEGMENTS = PU, BPU, JAKON, PMI; STATUSES = AKTIF, NONAKTIF, KELUAR).
SEGMENT_WEIGHTS = Weighted(SEGMENTS, [{"PU": 25, "BPU": 65}.get(s, 5) for s in SEGMENTS])
STATUS_WEIGHTS = Weighted(STATUSES, [{"AKTIF": 60, "NONAKTIF": 25}.get(s, 15) for s in STATUSES])
_PU, _BPU = SEGMENTS.index("PU"), SEGMENTS.index("BPU")
_AKTIF, _NONAKTIF = STATUSES.index("AKTIF"), STATUSES.index("NONAKTIF")
PAYER_WEIGHTS = Weighted(("MANDIRI", "APBD", "APBDES"), (80, 15, 5))
PAID_OFFSET = Weighted(range(-5, 4), (3, 4, 6, 8, 12, 20, 20, 15, 12))

_EPOCH = date(1970, 1, 1)
_EXCEL_EPOCH_DAYS = 25569  # Excel serial of 1970-01-01
_DAY1 = (DAYS[0] - _EPOCH).days
_KPJ_MULTIPLIER = 2_654_435_761  # a prime: coprime with 9 * 10**k, so ids map 1:1 to KPJs

# Name vocabularies in one array each, so Arrow can take() them by index.
GIVEN = (*MALE_GIVEN, *ACCENTED_MALE, *FEMALE_GIVEN, *ACCENTED_FEMALE)
FAMILY = (*MALE_FAMILY, *FEMALE_FAMILY)
_ACCENTED_MALE_AT = len(MALE_GIVEN)
_FEMALE_AT = _ACCENTED_MALE_AT + len(ACCENTED_MALE)
_ACCENTED_FEMALE_AT = _FEMALE_AT + len(FEMALE_GIVEN)
OCCUPATIONS = (*OCCUPATIONS_MALE.items, *OCCUPATIONS_FEMALE.items)


def _check_xml_safe(words: Iterable[str]) -> None:
    bad = [w for w in words if escape(w) != w]
    if bad:
        raise ValueError(f"vocabulary needs XML escaping: {bad}")


_check_xml_safe((*GIVEN, *FAMILY, *OCCUPATIONS, *ROMAN, *STREET_WORDS))


# --------------------------------------------------------------------------- public API


@dataclass(frozen=True)
class BenchFile:
    source: str  # village_submissions | poverty_lists | member_exports
    path: Path  # out/deliveries/<day>/<source>/<name>
    kind: str  # "xlsx" | "csv"
    rows: int  # data rows written
    delimiter: str | None  # csv only
    encoding: str | None  # csv only

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class BenchSet:
    out: Path
    days: tuple[date, date]  # day 1 (cold) and day 2 (increment)
    manifest: Path  # out/manifest.json

    def data(self) -> dict[str, Any]:
        """The manifest as written (files, expected outcomes, parameters)."""
        return json.loads(self.manifest.read_text(encoding="utf-8"))

    def files(self, day: date) -> list[BenchFile]:
        """What was delivered on ``day``, by source then name."""
        found = [
            BenchFile(
                source=f["source"],
                path=self.out / f["path"],
                kind=f["kind"],
                rows=f["rows"],
                delimiter=f["delimiter"],
                encoding=f["encoding"],
            )
            for f in self.data()["files"]
            if f["day"] == day.isoformat()
        ]
        return sorted(found, key=lambda f: (SOURCES.index(f.source), f.path.name))

    def expected(self, day: date) -> dict[str, dict[str, Any]]:
        """Per source: files, rows_read, rows_loaded, rows_rejected, *_by_reason."""
        return self.data()["expected"][day.isoformat()]

    def deliver(self, day: date, landing: Path, sources: tuple[str, ...] = SOURCES) -> list[Path]:
        """Hard-link (or copy, across file systems) ``day``'s files of ``sources`` into
        landing/<source>/, dated that morning (settled by any run, as a real delivery).

        A link is safe because the pipeline never modifies landing files; an existing file
        of the same name that is not this one is replaced.
        """
        placed = []
        for f in self.files(day):
            if f.source not in sources:
                continue
            target = Path(landing) / f.source / f.path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                if os.path.samefile(target, f.path):
                    placed.append(target)
                    continue
                target.unlink()
            try:
                os.link(f.path, target)
            except OSError:
                shutil.copyfile(f.path, target)
            delivered_at(target, day)
            placed.append(target)
        return placed


def generate_bench(
    out: Path,
    scale: float = 1.0,
    seed: int = 7,
    poverty_factor: float = 1.0,
    progress: Callable[[str], None] | None = None,
) -> BenchSet:
    """Write (or reuse) the benchmark set under ``out``; see the module docstring."""
    if scale <= 0 or poverty_factor <= 0:
        raise ValueError("scale and poverty_factor must be positive")
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    out = Path(out)
    params = {
        "seed": seed,
        "scale": scale,
        "poverty_factor": poverty_factor,
        "kpj_digits": load_settings().kpj_digits,
    }
    bench = BenchSet(out=out, days=DAYS, manifest=out / "manifest.json")
    if _reusable(bench, params):
        log.info("bench_reused", out=str(out), **params)
        if progress:
            progress(f"reusing the benchmark set in {out}")
        return bench
    _Generator(out, params, progress).run()
    return bench


# --------------------------------------------------------------------------- reuse


def _reusable(bench: BenchSet, params: dict[str, Any]) -> bool:
    try:
        data = bench.data()
    except (OSError, ValueError):
        return False
    if data.get("generator") != {"name": GENERATOR, "version": VERSION}:
        return False
    if any(data.get(key) != value for key, value in params.items()):
        return False
    for f in data.get("files", []):
        path = bench.out / f["path"]
        if not path.is_file() or path.stat().st_size != f["bytes"]:
            return False
    return bool(data.get("files"))


# --------------------------------------------------------------------------- helpers


def _rng(seed: int, *tags: int) -> np.random.Generator:
    """An independent, reproducible stream per purpose (and per chunk)."""
    return np.random.default_rng([seed, *tags])


def _count(share: float, n: int, floor: int) -> int:
    """round(share * n), but at least one once ``n`` reaches ``floor``."""
    k = round(share * n)
    if k == 0 and n >= floor and share > 0:
        k = 1
    return min(k, n)


def _weighted(rng: np.random.Generator, table: Weighted[Any], n: int) -> np.ndarray:
    """Indexes into ``table.items`` drawn with its weights."""
    cum = np.asarray(table.cum, dtype=float)
    return np.searchsorted(cum, rng.random(n) * cum[-1], side="right")


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = days.astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d - months).astype(np.int64) + 1
    return year, month, day


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def _nik_prefix(district: np.ndarray, birth: np.ndarray, female: np.ndarray) -> np.ndarray:
    """District (6) + DDMMYY (women +40 on the day): the first 12 digits of a NIK."""
    year, month, day = _ymd(birth)
    day = day + 40 * female.astype(np.int64)
    return district * 1_000_000 + day * 10_000 + month * 100 + year % 100


def _serials(
    rng: np.random.Generator, prefix: np.ndarray, start: int, spread: int
) -> tuple[np.ndarray, int]:
    """A serial per person, unique within its prefix, from the band starting at ``start``.

    People sharing a prefix get consecutive serials after a random offset (0..spread); the
    next band starts above every serial given here, so bands never collide.
    """
    n = len(prefix)
    if n == 0:
        return np.zeros(0, np.int64), start
    order = np.argsort(prefix, kind="stable")
    ordered = prefix[order]
    first = np.ones(n, dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    group = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    rank = np.arange(n) - starts[group]
    offset = rng.integers(0, spread + 1, size=len(starts))[group]
    serial = np.empty(n, dtype=np.int64)
    serial[order] = start + offset + rank
    nxt = start + spread + int(rank.max()) + 1
    if nxt > 9999:
        raise RuntimeError("NIK serials exhausted: lower scale or poverty_factor")
    return serial, nxt


def _names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    """(n, 3) int16: given, middle (-1: none), family (-1: none) into GIVEN / FAMILY."""
    n = len(female)

    def given(at_m: int, len_m: int, at_f: int, len_f: int) -> np.ndarray:
        return np.where(female, at_f + rng.integers(0, len_f, n), at_m + rng.integers(0, len_m, n))

    plain = given(0, len(MALE_GIVEN), _FEMALE_AT, len(FEMALE_GIVEN))
    accented = given(
        _ACCENTED_MALE_AT, len(ACCENTED_MALE), _ACCENTED_FEMALE_AT, len(ACCENTED_FEMALE)
    )
    first = np.where(rng.random(n) < 0.008, accented, plain)
    middle = given(0, len(MALE_GIVEN), _FEMALE_AT, len(FEMALE_GIVEN))
    family = given(0, len(MALE_FAMILY), len(MALE_FAMILY), len(FEMALE_FAMILY))
    roll = rng.random(n)
    middle = np.where(roll >= 0.85, middle, -1)
    family = np.where(roll >= 0.12, family, -1)
    return np.stack([first, middle, family], axis=1).astype(np.int16)


def _name_text(parts: np.ndarray) -> list[str]:
    """Python names (for workbooks) from _names() rows."""
    out = []
    for g, m, f in parts.tolist():
        text = GIVEN[g]
        if m >= 0:
            text += " " + GIVEN[m]
        if f >= 0:
            text += " " + FAMILY[f]
        out.append(text)
    return out


_GIVEN_PA = pa.array(GIVEN, pa.string())
_FAMILY_PA = pa.array(FAMILY, pa.string())


def _name_array(parts: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Arrow names from _names() rows; null where ``missing``."""

    def take(vocab: pa.Array, idx: np.ndarray) -> pa.Array:
        return pc.take(vocab, pa.array(idx.astype(np.int32), mask=idx < 0))

    names = pc.binary_join_element_wise(
        take(_GIVEN_PA, parts[:, 0]),
        take(_GIVEN_PA, parts[:, 1]),
        take(_FAMILY_PA, parts[:, 2]),
        " ",
        null_handling="skip",
    )
    if missing is not None and missing.any():
        names = pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), names)
    return names


def _districts(
    rng: np.random.Generator,
    home: np.ndarray,
    province: np.ndarray,
    other_share: float,
    outside_share: float,
) -> np.ndarray:
    """Where each NIK was issued: mostly the home district, some elsewhere or outside."""
    n = len(home)
    roll = rng.random(n)
    other = province[rng.integers(0, len(province), n)]
    outside = np.asarray([int(d) for d in OUTSIDE_DISTRICTS], dtype=np.int64)
    outside = outside[rng.integers(0, len(outside), n)]
    district = np.where(roll < other_share, other, home)
    return np.where(roll >= 1 - outside_share, outside, district)


def _outside(nik: np.ndarray) -> np.ndarray:
    return nik // 10**14 != 16


def _pick(rng: np.random.Generator, pool: np.ndarray, k: int) -> np.ndarray:
    """``k`` distinct members of ``pool`` (sorted), reproducibly."""
    if k <= 0 or len(pool) == 0:
        return np.zeros(0, dtype=pool.dtype)
    return np.sort(rng.choice(pool, size=min(k, len(pool)), replace=False))


class _Digest:
    """A file written in pieces while its SHA-256 and size are computed."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = path.open("wb")
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes | memoryview) -> None:
        self.fh.write(data)
        self.sha.update(data)
        self.size += len(data)

    def close(self) -> tuple[str, int]:
        self.fh.close()
        return self.sha.hexdigest(), self.size


def _write_lines(sink: _Digest, columns: Sequence[pa.Array], sep: str, eol: str) -> None:
    """Join columns into CSV lines and write Arrow's buffer as it is (no value needs quoting)."""
    lines = pc.binary_join_element_wise(*columns, sep, null_handling="replace", null_replacement="")
    lines = pc.binary_join_element_wise(lines, pa.scalar(""), eol).cast(pa.large_string())
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    begin, end = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
    sink.write(memoryview(lines.buffers()[2])[begin:end])


def _expected(
    reasons: np.ndarray, flags: dict[str, int] | None = None, read: int | None = None
) -> dict[str, Any]:
    """Outcome counts from per-row reason codes (-1 = loaded)."""
    read = len(reasons) if read is None else read
    codes, counts = np.unique(reasons[reasons >= 0], return_counts=True)
    by_reason = {REASONS[c]: int(n) for c, n in zip(codes.tolist(), counts.tolist(), strict=True)}
    rejected = sum(by_reason.values())
    return {
        "rows_read": read,
        "rows_loaded": read - rejected,
        "rows_rejected": rejected,
        "rejected_by_reason": dict(sorted(by_reason.items())),
        "flags_by_reason": {k: v for k, v in (flags or {}).items() if v},
    }


def _code(reason: str) -> int:
    return REASONS.index(reason)


# --------------------------------------------------------------------------- region


@dataclass
class _Villages:
    code: np.ndarray  # int64, 10 digits
    text: pa.Array  # "1612052011"
    dotted: pa.Array  # "16.12.05.2011"
    district: np.ndarray  # int64, 6 digits
    regency: np.ndarray  # int64, 4 digits
    names: list[str]
    kinds: list[str]
    branch: pa.Array  # BPJS branch office label (an ignored column)
    districts: np.ndarray  # every district code of the province
    unknown: np.ndarray  # per village, a code in its district that is not in the list

    @property
    def count(self) -> int:
        return len(self.code)


def _load_villages() -> _Villages:
    region = load_region()
    vs = list(region.villages.values())
    code = np.array([int(v.code) for v in vs], dtype=np.int64)
    known = set(code.tolist())
    unknown = code // 10_000 * 10_000 + 9999
    if known.intersection(unknown.tolist()):
        raise RuntimeError("reference list holds a village numbered 9999")
    branch = [
        "KC " + v.regency_name.removeprefix("Kabupaten ").removeprefix("Kota ").upper() for v in vs
    ]
    return _Villages(
        code=code,
        text=pa.array([v.code for v in vs], pa.string()),
        dotted=pa.array([f"{c[:2]}.{c[2:4]}.{c[4:6]}.{c[6:]}" for c in (v.code for v in vs)]),
        district=np.array([int(v.district_code) for v in vs], dtype=np.int64),
        regency=np.array([int(v.regency_code) for v in vs], dtype=np.int64),
        names=[v.name for v in vs],
        kinds=[v.type for v in vs],
        branch=pa.array(branch, pa.string()),
        districts=np.array(sorted({int(v.district_code) for v in vs}), dtype=np.int64),
        unknown=unknown,
    )


def _village_text(villages: _Villages, idx: np.ndarray, dotted: np.ndarray) -> pa.Array:
    index = pa.array(idx.astype(np.int32))
    return pc.if_else(
        pa.array(dotted), pc.take(villages.dotted, index), pc.take(villages.text, index)
    )


# --------------------------------------------------------------------------- workbooks


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = (
    _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
    'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL_NS}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL_NS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_APP = (
    _HEAD + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties"><Application>Microsoft Excel</Application></Properties>'
)
# Cell styles: 0 General, 1 the workbook's date format, 2 a whole number ("0"), 3 text ("@").
DATE_STYLE, NUMBER_STYLE, TEXT_STYLE = 1, 2, 3


def _styles(date_format: str) -> str:
    xf = '<xf numFmtId="{}" fontId="0" fillId="0" borderId="0" xfId="0"{}/>'
    apply = ' applyNumberFormat="1"'
    return (
        _HEAD + f'<styleSheet xmlns="{_MAIN_NS}">'
        f'<numFmts count="1"><numFmt numFmtId="164" formatCode="{escape(date_format)}"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        f'<cellXfs count="4">{xf.format(0, "")}{xf.format(164, apply)}'
        f"{xf.format(1, apply)}{xf.format(49, apply)}</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


def _core(stamp: str) -> str:
    return (
        _HEAD + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator>Operator Desa</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cells(
    letter: str,
    rows: Sequence[int],
    values: Sequence[object],
    text_style: int = 0,
    number_style: int = 0,
) -> list[str]:
    """Cell XML of one column: str -> inline string, int/float -> number, None/"" -> no cell.

    Strings must be XML-safe already (the vocabularies are checked at import).
    """
    ts = f' s="{text_style}"' if text_style else ""
    ns = f' s="{number_style}"' if number_style else ""
    out = []
    for r, v in zip(rows, values, strict=True):
        if v is None or v == "":
            out.append("")
        elif isinstance(v, str):
            out.append(f'<c r="{letter}{r}"{ts} t="inlineStr"><is><t>{v}</t></is></c>')
        else:
            out.append(f'<c r="{letter}{r}"{ns}><v>{v}</v></c>')
    return out


def xlsx_bytes(
    headers: Sequence[str],
    columns: Sequence[tuple[Sequence[object], int, int]],
    *,
    sheet: str = "Sheet1",
    title: str | None = None,
    date_format: str = "dd/mm/yyyy",
    stamp: tuple[int, int, int, int, int, int] = (2025, 7, 1, 8, 0, 0),
) -> bytes:
    """A minimal one-sheet workbook, byte-reproducible.

    ``columns`` are (values, text style, number style) with one value per data row: text
    cells are inline strings, numbers are numbers (a date is its Excel serial with
    DATE_STYLE). With ``title``, row 1 holds it, row 2 is empty and the header is row 3.
    """
    header_row = 3 if title else 1
    n = len(columns[0][0]) if columns else 0
    data_rows = list(range(header_row + 1, header_row + 1 + n))
    letters = [_column_letter(i) for i in range(len(headers))]
    parts = [
        _HEAD,
        f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">',
        f'<dimension ref="A1:{letters[-1]}{header_row + n}"/>',
        "<sheetData>",
    ]
    if title:
        parts.append(
            f'<row r="1"><c r="A1" t="inlineStr"><is><t>{escape(title)}</t></is></c></row>'
        )
    head = "".join(
        f'<c r="{letter}{header_row}" t="inlineStr"><is><t xml:space="preserve">'
        f"{escape(text)}</t></is></c>"
        for letter, text in zip(letters, headers, strict=True)
    )
    parts.append(f'<row r="{header_row}">{head}</row>')
    cells = [
        _cells(letter, data_rows, values, ts, ns)
        for letter, (values, ts, ns) in zip(letters, columns, strict=True)
    ]
    rendered = zip(data_rows, zip(*cells, strict=True), strict=True)
    parts.extend(f'<row r="{r}">{"".join(row)}</row>' for r, row in rendered)
    parts.append("</sheetData></worksheet>")
    iso = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*stamp)
    workbook = (
        _HEAD + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><sheets>'
        f'<sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    members = (
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _ROOT_RELS),
        ("docProps/app.xml", _APP),
        ("docProps/core.xml", _core(iso)),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        ("xl/styles.xml", _styles(date_format)),
        ("xl/worksheets/sheet1.xml", "".join(parts)),
    )
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            zf.writestr(info, text.encode("utf-8"), compresslevel=6)
    return raw.getvalue()


# --------------------------------------------------------------------------- the generator


@dataclass
class _Workers:
    """Rows of all workbooks (grouped by workbook) and the distinct people behind them."""

    rows_per_workbook: int
    workbook_village: np.ndarray  # per workbook: village index
    workbook_day: np.ndarray  # per workbook: 0 or 1
    numeric: np.ndarray  # per workbook: NIK column typed as numbers
    person: np.ndarray  # per row: person index
    defect: np.ndarray  # per row: "" | missing_required | invalid_nik | unknown_village
    reason: np.ndarray  # per row: REASONS index or -1 (loaded)
    text_date: np.ndarray  # per row: birth date typed as text inside an Excel-date workbook
    # people
    nik: np.ndarray
    female: np.ndarray
    birth: np.ndarray  # days since 1970-01-01
    names: np.ndarray  # (n, 3)
    home: np.ndarray  # village index of the first village that proposed them
    extras: dict[str, np.ndarray] = field(default_factory=dict)
    cross_village: int = 0
    repeats: int = 0
    typed: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # per row: NIK cell
    lookalikes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # people


def _typos_and_lookalikes(
    rng: np.random.Generator,
    loaded: np.ndarray,
    wb_of_row: np.ndarray,
    person: np.ndarray,
    nik: np.ndarray,
    female: np.ndarray,
    birth: np.ndarray,
    names: np.ndarray,
    extras: dict[str, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """The NIK cell of every row (a typo on TYPO_SHARE of the day-1 members' ``loaded``
    rows), and look-alikes made in place among the other workers: (look-alike, member)
    person pairs. Every NIK written stays unique among the workers and loads."""
    typed = nik[person].copy()
    taken = set(nik.tolist())
    member = extras["member_day1"] | extras["member_day2"]
    member_rows = np.flatnonzero(loaded & extras["member_day1"][person])
    chosen = _pick(rng, member_rows, round(TYPO_SHARE * len(member_rows)))
    for k, r in enumerate(chosen.tolist()):
        text = str(nik[person[r]])
        for _attempt in range(20):
            if k % 2 == 0:
                at = int(rng.integers(0, 16))
                digit = str((int(text[at]) + int(rng.integers(1, 10))) % 10)
                wrong = text[:at] + digit + text[at + 1 :]
            else:
                at = int(rng.integers(0, 15))
                wrong = text[:at] + text[at + 1] + text[at] + text[at + 2 :]
            if wrong != text and nik_is_valid(wrong) and int(wrong) not in taken:
                typed[r] = int(wrong)
                taken.add(int(wrong))
                break
    # Look-alikes: another worker of a member's workbook, never a member or a typo's row.
    free = loaded & ~member[person] & (typed == nik[person])
    rest = np.setdiff1d(member_rows, chosen)
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for r in _pick(rng, rest, round(LOOKALIKE_SHARE * len(member_rows))).tolist():
        m = int(person[r])
        year, month, day = (int(a[0]) for a in _ymd(birth[m : m + 1]))
        if (month, day) == (2, 29):
            continue
        shift = 1 if year % 10 != 9 else -1  # one digit of the year changes
        born = (date(year + shift, month, day) - _EPOCH).days
        same_book = np.flatnonzero(free & (wb_of_row == wb_of_row[r]))
        others = [int(person[o]) for o in same_book.tolist() if int(person[o]) not in used]
        if not others:
            continue
        p = others[int(rng.integers(0, len(others)))]
        prefix = _nik_prefix(nik[m : m + 1] // 10**10, np.array([born]), female[m : m + 1])
        twin = int(prefix[0]) * 10_000 + int(nik[m] % 10_000)
        if twin in taken:
            continue
        taken.add(twin)
        used.add(p)
        nik[p], birth[p], female[p], names[p] = twin, born, female[m], names[m]
        typed[person == p] = twin
        pairs.append((p, m))
    return typed, np.array(pairs, dtype=np.int64).reshape(-1, 2)


class _Generator:
    def __init__(
        self, out: Path, params: dict[str, Any], progress: Callable[[str], None] | None
    ) -> None:
        self.out = out
        self.params = params
        self.seed: int = params["seed"]
        self.scale: float = params["scale"]
        self.kpj_digits: int = params["kpj_digits"]
        self.progress = progress or (lambda _message: None)
        self.files: list[dict[str, Any]] = []
        self.next_serial = 1
        self.villages = _load_villages()
        if self.kpj_digits < 2:
            raise ValueError("kpj_digits must be at least 2")

    # -- orchestration ---------------------------------------------------------------------
    def run(self) -> None:
        manifest = self.out / "manifest.json"
        manifest.unlink(missing_ok=True)
        shutil.rmtree(self.out / "deliveries", ignore_errors=True)
        self.out.mkdir(parents=True, exist_ok=True)
        workers = self._workers()
        self._workbooks(workers)
        self._poverty(workers)
        self._members(workers)
        data = {
            "generator": {"name": GENERATOR, "version": VERSION},
            **self.params,
            "days": [d.isoformat() for d in DAYS],
            "files": self.files,
            "expected": self._totals(),
            "population": {
                "workers_proposed": len(workers.nik),
                "workers_in_poverty": int(workers.extras["in_poverty"].sum()),
                "workers_members_day1": int(workers.extras["member_day1"].sum()),
                "workers_members_day2": int(
                    (workers.extras["member_day1"] | workers.extras["member_day2"]).sum()
                ),
                "cross_village_rows": workers.cross_village,
                "repeated_rows": workers.repeats,
            },
            "linkage": self._linkage_truth(workers),
        }
        tmp = manifest.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(manifest)
        log.info("bench_generated", out=str(self.out), files=len(self.files), **self.params)
        self.progress(f"wrote {len(self.files)} files and {manifest}")

    def _linkage_truth(self, w: _Workers) -> dict[str, Any]:
        """``linkage_truth.csv``: each typed NIK of a day-1 member's proposal with the true
        one (typo), and each look-alike's NIK with the member it resembles (lookalike)."""
        per = w.rows_per_workbook
        typo_rows = np.flatnonzero(w.typed != w.nik[w.person])
        member = w.extras["member_day1"]
        typo_rows = typo_rows[member[w.person[typo_rows]]]  # still a member (tiny scales)
        lines = ["kind,proposed_nik,member_nik,village_code"]
        for r in typo_rows.tolist():
            village = self.villages.code[w.workbook_village[r // per]]
            lines.append(f"typo,{w.typed[r]},{w.nik[w.person[r]]},{village}")
        for p, m in w.lookalikes.tolist():
            lines.append(f"lookalike,{w.nik[p]},{w.nik[m]},{self.villages.code[w.home[p]]}")
        path = self.out / "linkage_truth.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return {"truth": path.name, "typos": len(typo_rows), "lookalikes": len(w.lookalikes)}

    def _totals(self) -> dict[str, dict[str, Any]]:
        totals: dict[str, dict[str, Any]] = {}
        for day in DAYS:
            per_source: dict[str, Any] = {}
            for source in SOURCES:
                files = [
                    f for f in self.files if f["day"] == day.isoformat() and f["source"] == source
                ]
                reasons: dict[str, int] = {}
                flags: dict[str, int] = {}
                for f in files:
                    for k, v in f["expected"]["rejected_by_reason"].items():
                        reasons[k] = reasons.get(k, 0) + v
                    for k, v in f["expected"]["flags_by_reason"].items():
                        flags[k] = flags.get(k, 0) + v
                per_source[source] = {
                    "files": len(files),
                    "rows_read": sum(f["expected"]["rows_read"] for f in files),
                    "rows_loaded": sum(f["expected"]["rows_loaded"] for f in files),
                    "rows_rejected": sum(f["expected"]["rows_rejected"] for f in files),
                    "rejected_by_reason": dict(sorted(reasons.items())),
                    "flags_by_reason": dict(sorted(flags.items())),
                }
            totals[day.isoformat()] = per_source
        return totals

    def _record(
        self,
        day: int,
        source: str,
        path: Path,
        kind: str,
        sha: str,
        size: int,
        expected: dict[str, Any],
        delimiter: str | None = None,
        encoding: str | None = None,
    ) -> None:
        self.files.append(
            {
                "day": DAYS[day].isoformat(),
                "source": source,
                "name": path.name,
                "path": path.relative_to(self.out).as_posix(),
                "kind": kind,
                "rows": expected["rows_read"],
                "delimiter": delimiter,
                "encoding": encoding,
                "sha256": sha,
                "bytes": size,
                "expected": expected,
            }
        )

    def _folder(self, day: int, source: str) -> Path:
        return self.out / "deliveries" / DAYS[day].isoformat() / source

    # -- the proposed workers ----------------------------------------------------------------
    def _select_villages(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
        nv = self.villages.count
        n1 = max(1, round(DAY1_VILLAGES * self.scale))
        n2 = max(1, round(DAY2_VILLAGES * self.scale))
        per = ROWS_PER_WORKBOOK
        if n1 + n2 > nv:  # beyond scale ~1.1 there are no villages left: longer lists instead
            n1 = nv - n2
            per = max(ROWS_PER_WORKBOOK, round(DAY1_VILLAGES * ROWS_PER_WORKBOOK * self.scale / n1))
        order = rng.permutation(nv)
        regencies = self.villages.regency[order]
        first = np.zeros(0, dtype=np.int64)
        if n1 >= len(np.unique(regencies)):  # every regency sends at least one workbook
            _, at = np.unique(regencies, return_index=True)
            first = order[np.sort(at)]
        rest = order[~np.isin(order, first)]
        day1 = np.concatenate([first, rest[: n1 - len(first)]])
        day2 = rest[n1 - len(first) : n1 - len(first) + n2]
        return np.sort(day1), np.sort(day2), per

    def _workers(self) -> _Workers:
        self.progress("drawing villages and workers")
        rng = _rng(self.seed, 1)
        day1, day2, per = self._select_villages(rng)
        wb_village = np.concatenate([day1, day2])
        wb_day = np.concatenate([np.zeros(len(day1), np.int8), np.ones(len(day2), np.int8)])
        n_wb = len(wb_village)
        n_rows = n_wb * per
        wb_of_row = np.repeat(np.arange(n_wb), per)

        numeric = np.zeros(n_wb, dtype=bool)
        repeat = np.zeros(n_wb, dtype=bool)
        for d in (0, 1):
            books = np.flatnonzero(wb_day == d)
            k = _count(NUMERIC_NIK_WORKBOOKS, len(books), MESS_FLOOR["files"])
            numeric[_pick(rng, books, k)] = True
            text_books = books[~numeric[books]]
            k = _count(REPEAT_WORKBOOKS, len(books), MESS_FLOOR["files"])
            repeat[_pick(rng, text_books, k)] = True

        # Repeats and cross-village duplicates: a target row shows a source row's worker.
        source_of = np.full(n_rows, -1, dtype=np.int64)
        protected = np.zeros(n_rows, dtype=bool)
        for b in np.flatnonzero(repeat).tolist():
            target = int(rng.integers(per // 2, per)) if per > 1 else 0
            if target == 0:
                continue
            src = int(rng.integers(0, target))
            source_of[b * per + target] = b * per + src
            protected[[b * per + target, b * per + src]] = True
        repeats = int((source_of >= 0).sum())
        cross = 0
        text_row = ~numeric[wb_of_row]
        for d in (0, 1):
            day_rows = np.flatnonzero((wb_day[wb_of_row] == d) & text_row & ~protected)
            k = _count(CROSS_VILLAGE * (2 if d else 1), len(day_rows), MESS_FLOOR["rows"])
            targets = _pick(rng, day_rows, k)
            # Sources from day 1 (a second village proposes someone already proposed).
            pool = np.flatnonzero((wb_day[wb_of_row] == 0) & text_row & ~protected)
            for t in targets.tolist():
                for _attempt in range(100):
                    s = int(pool[rng.integers(0, len(pool))]) if len(pool) else -1
                    if s >= 0 and wb_of_row[s] != wb_of_row[t] and not protected[s]:
                        break
                else:
                    continue
                if protected[t]:
                    continue
                source_of[t] = s
                protected[[t, s]] = True
                cross += 1

        # Defective rows, never on a repeat / duplicate row or its source.
        defect = np.full(n_rows, "", dtype=object)
        for d in (0, 1):
            for reason, share in ROW_DEFECTS.items():
                pool = np.flatnonzero((wb_day[wb_of_row] == d) & ~protected & (defect == ""))
                if reason == "invalid_nik":
                    pool = pool[text_row[pool]]
                k = _count(share, int((wb_day[wb_of_row] == d).sum()), MESS_FLOOR["rows"])
                defect[_pick(rng, pool, k)] = reason

        # People: one per row that is not a copy of another row.
        own = source_of < 0
        person = np.full(n_rows, -1, dtype=np.int64)
        person[own] = np.arange(int(own.sum()))
        person[~own] = person[source_of[~own]]
        n_people = int(own.sum())
        home = wb_village[wb_of_row[own]]

        female = rng.random(n_people) >= 0.56
        roll = rng.random(n_people)
        years = rng.triangular(18.0, 36.0, 64.9, n_people)
        years = np.where(roll < 0.02, rng.uniform(12.0, 14.95, n_people), years)
        years = np.where((roll >= 0.02) & (roll < 0.05), rng.uniform(65.05, 74.0, n_people), years)
        birth = _DAY1 - (years * 365.25).astype(np.int64)
        district = _districts(
            rng, self.villages.district[home], self.villages.districts, 0.03, 0.02
        )
        serial, self.next_serial = _serials(
            rng, _nik_prefix(district, birth, female), self.next_serial, 40
        )
        nik = _nik_prefix(district, birth, female) * 10_000 + serial
        names = _names(rng, female)
        extras = {
            "occupation": np.where(
                female,
                len(OCCUPATIONS_MALE.items) + _weighted(rng, OCCUPATIONS_FEMALE, n_people),
                _weighted(rng, OCCUPATIONS_MALE, n_people),
            ),
            "address": rng.integers(0, 1 << 30, n_people),
            "phone": rng.integers(0, 1 << 40, n_people),
            "in_poverty": np.zeros(n_people, dtype=bool),
            "member_day1": np.zeros(n_people, dtype=bool),
            "member_day2": np.zeros(n_people, dtype=bool),
        }
        k = round(IN_POVERTY * n_people)
        extras["in_poverty"][_pick(rng, np.arange(n_people), k)] = True
        k = round(MEMBERS_DAY1 * n_people)
        extras["member_day1"][_pick(rng, np.arange(n_people), k)] = True
        k = round(ENROLLED_DAY2 * n_people)
        extras["member_day2"][_pick(rng, np.flatnonzero(~extras["member_day1"]), k)] = True

        text_date = rng.random(n_rows) < TEXT_DATES_IN_EXCEL

        # Expected reasons, first that applies (CONTRACT §3), then repeats in a file.
        reason = np.full(n_rows, -1, dtype=np.int64)

        def put(mask: np.ndarray, name: str) -> None:
            reason[(reason < 0) & mask] = _code(name)

        put(defect == "missing_required", "missing_required")
        put(numeric[wb_of_row], "nik_numeric_cell")
        put(defect == "invalid_nik", "invalid_nik")
        put(defect == "unknown_village", "unknown_village")
        candidates = np.flatnonzero(reason < 0)
        order = np.lexsort((candidates, nik[person[candidates]], wb_of_row[candidates]))
        ordered = candidates[order]
        same = (wb_of_row[ordered][1:] == wb_of_row[ordered][:-1]) & (
            nik[person[ordered]][1:] == nik[person[ordered]][:-1]
        )
        reason[ordered[1:][same]] = _code("duplicate_in_file")
        loaded = (reason < 0) & text_row & ~protected & (wb_day[wb_of_row] == 0)
        typed, lookalikes = _typos_and_lookalikes(
            _rng(self.seed, 7), loaded, wb_of_row, person, nik, female, birth, names, extras
        )
        return _Workers(
            rows_per_workbook=per,
            workbook_village=wb_village,
            workbook_day=wb_day,
            numeric=numeric,
            person=person,
            defect=defect,
            reason=reason,
            text_date=text_date,
            nik=nik,
            female=female,
            birth=birth,
            names=names,
            home=home,
            extras=extras,
            cross_village=cross,
            repeats=repeats,
            typed=typed,
            lookalikes=lookalikes,
        )

    # -- village_submissions --------------------------------------------------------------------
    def _workbooks(self, w: _Workers) -> None:
        rng = _rng(self.seed, 2)
        n_wb = len(w.workbook_village)
        per = w.rows_per_workbook
        dotted = np.zeros(n_wb, dtype=bool)
        style = np.full(n_wb, "excel", dtype=object)
        titled = np.zeros(n_wb, dtype=bool)
        for d in (0, 1):
            books = np.flatnonzero(w.workbook_day == d)
            floor = MESS_FLOOR["files"]
            dotted[_pick(rng, books, _count(DOTTED_WORKBOOKS, len(books), floor))] = True
            titled[_pick(rng, books, _count(TITLE_WORKBOOKS, len(books), floor))] = True
            for name, share in TEXT_DATE_WORKBOOKS.items():
                pool = books[style[books] == "excel"]
                style[_pick(rng, pool, _count(share, len(books), floor))] = name
        for b in range(n_wb):
            self._workbook(
                w, b, slice(b * per, (b + 1) * per), bool(dotted[b]), style[b], titled[b]
            )
            if (b + 1) % 500 == 0 or b + 1 == n_wb:
                self.progress(f"workbooks: {b + 1}/{n_wb}")

    def _workbook(
        self, w: _Workers, b: int, rows: slice, dotted: bool, date_style: str, titled: bool
    ) -> None:
        v = int(w.workbook_village[b])
        day = int(w.workbook_day[b])
        code = str(self.villages.code[v])
        rng = random.Random(f"cakupan-bench:{self.seed}:{code}")
        kind = "Desa" if self.villages.kinds[v] == "desa" else "Kelurahan"
        name = safe_name(self.villages.names[v]) or code
        template = rng.random() < 0.15
        columns = ["village_code", "nik", "name", "birth_date"]
        for col, share in (
            ("sex", 0.9),
            ("occupation", 0.8),
            ("address", 0.7),
            ("phone", 0.5),
            ("submitted_on", 0.5),
        ):
            if rng.random() < share:
                columns.append(col)
        order = ("nik", "name", "sex", "birth_date", "village_code", "occupation", "address")
        if rng.random() < 0.5:
            columns.sort(key=lambda c: order.index(c) if c in order else len(order))
        if not template and rng.random() < 0.6:
            columns.insert(0, "no")
        headers = [
            col
            if template and col != "no"
            else header_label(rng.choice(SUBMISSION_HEADERS[col]), rng)
            for col in columns
        ]
        numeric = bool(w.numeric[b])
        nik_style = rng.choices(("plain", "apostrophe", "spaces", "dashes"), (80, 10, 5, 5))[0]
        sex_words = rng.random() < 0.3
        date_format = rng.choice(EXCEL_DATE_FORMATS)
        submitted = (
            _EXCEL_EPOCH_DAYS + (DAYS[day] - _EPOCH).days - rng.randint(0, 29)
            if "submitted_on" in columns
            else None
        )

        person = w.person[rows]
        n = len(person)
        defect = w.defect[rows]
        nik_int = w.typed[rows]
        female = w.female[person]
        birth = w.birth[person]

        values: dict[str, tuple[list[object], int, int]] = {}
        values["no"] = (list(range(1, n + 1)), 0, 0)
        village = np.where(
            defect == "unknown_village", self.villages.unknown[v], self.villages.code[v]
        )
        village_text = [str(c) for c in village.tolist()]
        if dotted:
            village_text = [f"{c[:2]}.{c[2:4]}.{c[4:6]}.{c[6:]}" for c in village_text]
        values["village_code"] = (village_text, 0, 0)
        if numeric:
            nik_cells: list[object] = [(x // 10) * 10 for x in nik_int.tolist()]
        else:
            nik_cells = []
            for i, x in enumerate(nik_int.tolist()):
                text = str(x)
                if defect[i] == "invalid_nik":
                    row_rng = random.Random(f"cakupan-bench:{self.seed}:{code}:{i}")
                    text = bad_nik(text, row_rng.choice(INVALID_NIK_VARIANTS), row_rng)
                nik_cells.append(type_nik(text, nik_style))
        values["nik"] = (nik_cells, TEXT_STYLE if rng.random() < 0.5 else 0, NUMBER_STYLE)
        names = _name_text(w.names[person])
        values["name"] = (
            [("" if d == "missing_required" else x) for x, d in zip(names, defect, strict=True)],
            0,
            0,
        )
        year, month, dd = (a.tolist() for a in _ymd(birth))
        serials = (birth + _EXCEL_EPOCH_DAYS).tolist()
        text_date = w.text_date[rows].tolist()
        births: list[object] = []
        for i in range(n):
            if date_style == "long" or (date_style == "excel" and text_date[i]):
                births.append(f"{dd[i]} {BULAN[month[i]]} {year[i]}")
            elif date_style == "dmy_slash":
                births.append(f"{dd[i]:02d}/{month[i]:02d}/{year[i]}")
            else:
                births.append(serials[i])
        values["birth_date"] = (births, 0, DATE_STYLE)
        sex = ("Perempuan", "Laki-laki") if sex_words else ("P", "L")
        values["sex"] = ([sex[0] if f else sex[1] for f in female.tolist()], 0, 0)
        values["occupation"] = (
            [OCCUPATIONS[o] for o in w.extras["occupation"][person].tolist()],
            0,
            0,
        )
        values["address"] = ([_address(a) for a in w.extras["address"][person].tolist()], 0, 0)
        values["phone"] = ([_phone(p) for p in w.extras["phone"][person].tolist()], 0, 0)
        values["submitted_on"] = ([submitted] * n, 0, DATE_STYLE)

        title = f"DAFTAR USULAN PEKERJA RENTAN {kind.upper()} {name.upper()}" if titled else None
        stamp = (DAYS[day].year, DAYS[day].month, DAYS[day].day, 8 + rng.randint(0, 8), 0, 0)
        data = xlsx_bytes(
            headers,
            [values[c] for c in columns],
            sheet=rng.choice(("Sheet1", "Usulan", "DATA", "Daftar Usulan")),
            title=title,
            date_format=date_format,
            stamp=stamp,
        )
        file_name = rng.choice(
            (
                f"Usulan Pekerja Rentan {kind} {name} {code}.xlsx",
                f"{code}_usulan_bpjstk.xlsx",
                f"DAFTAR USULAN BPU {kind.upper()} {name.upper()} ({code}).xlsx",
            )
        )
        path = self._folder(day, SUBMISSIONS) / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        reason = w.reason[rows]
        flags = {"nik_outside_province": int(((reason < 0) & _outside(nik_int)).sum())}
        for i in np.flatnonzero((reason < 0) & (nik_int != w.nik[person])).tolist():
            sex_cell = ("P" if female[i] else "L") if "sex" in columns else None
            born = date(year[i], month[i], dd[i])
            for flag in nik_flags(str(nik_int[i]), born, sex_cell).split(";"):
                if flag:
                    flags[flag] = flags.get(flag, 0) + 1
        self._record(
            day,
            SUBMISSIONS,
            path,
            "xlsx",
            hashlib.sha256(data).hexdigest(),
            len(data),
            _expected(reason, flags),
        )
        self.files[-1]["layout"] = {
            "village_code": code,
            "header_row": 3 if title else 1,
            "columns": columns,
            "nik_cells": "numeric" if numeric else "text",
            "birth_dates": date_style,
            "village_codes": "dotted" if dotted else "plain",
        }

    # -- poverty_lists ------------------------------------------------------------------------
    def _poverty(self, w: _Workers) -> None:
        rng = _rng(self.seed, 3)
        total = max(10, round(POVERTY_ROWS * self.scale * self.params["poverty_factor"]))
        listed = np.flatnonzero(w.extras["in_poverty"])
        if len(listed) > total:
            listed = _pick(rng, listed, total)
            w.extras["in_poverty"][:] = False
            w.extras["in_poverty"][listed] = True
        listed = rng.permutation(listed)
        sizes = np.full(-(-total // CHUNK_ROWS), CHUNK_ROWS, dtype=np.int64)
        sizes[-1] = total - CHUNK_ROWS * (len(sizes) - 1)
        worker_counts = (
            rng.multivariate_hypergeometric(sizes, len(listed))
            if len(listed)
            else np.zeros_like(sizes)
        )
        capacity = sizes - worker_counts
        defects: dict[str, np.ndarray] = {}
        for reason, share in POVERTY_DEFECTS.items():
            k = _count(share, total, MESS_FLOOR["rows"])
            k = min(k, int(capacity.sum()))
            defects[reason] = (
                rng.multivariate_hypergeometric(capacity, k) if k else np.zeros_like(sizes)
            )
            capacity = capacity - defects[reason]
        # Village weights: some villages have many more poor households than others.
        weights = rng.gamma(2.0, 1.0, self.villages.count)
        weights /= weights.sum()

        path = self._folder(0, POVERTY) / f"Ekstrak DTSEN Sumsel {DAYS[0]:%Y%m%d}.csv"
        sink = _Digest(path)
        sink.write((";".join(POVERTY_HEADER) + "\r\n").encode("utf-8"))
        reasons: list[np.ndarray] = []
        outside = 0
        used = 0
        for c, size in enumerate(sizes.tolist()):
            take = listed[used : used + int(worker_counts[c])]
            used += len(take)
            chunk_defects = {r: int(v[c]) for r, v in defects.items()}
            columns, reason, out_flags = self._poverty_chunk(
                c, size, take, chunk_defects, weights, w
            )
            _write_lines(sink, columns, ";", "\r\n")
            reasons.append(reason)
            outside += out_flags
            self.progress(f"poverty extract: chunk {c + 1}/{len(sizes)}")
        sha, size_bytes = sink.close()
        expected = _expected(np.concatenate(reasons), {"nik_outside_province": outside})
        self._record(0, POVERTY, path, "csv", sha, size_bytes, expected, ";", "utf-8")

    def _poverty_chunk(
        self,
        c: int,
        size: int,
        workers: np.ndarray,
        defects: dict[str, int],
        weights: np.ndarray,
        w: _Workers,
    ) -> tuple[list[pa.Array], np.ndarray, int]:
        rng = _rng(self.seed, 4, c)
        n_others = size - len(workers)
        # Households of people nobody proposed, filling the rest of the chunk.
        hh_sizes = np.zeros(0, dtype=np.int64)
        while hh_sizes.sum() < n_others:
            more = np.asarray(HOUSEHOLD_SIZES.items)[
                _weighted(rng, HOUSEHOLD_SIZES, n_others // 3 + 8)
            ]
            hh_sizes = np.concatenate([hh_sizes, more])
        cut = int(np.searchsorted(np.cumsum(hh_sizes), n_others))
        hh_sizes = hh_sizes[: cut + 1] if n_others else hh_sizes[:0]
        if n_others:
            hh_sizes[-1] -= int(hh_sizes.sum()) - n_others
        n_hh = len(hh_sizes)
        hh_village = rng.choice(self.villages.count, size=n_hh, p=weights)
        if c == 0:  # the extract covers every village of the province
            k = min(n_hh, self.villages.count)
            hh_village[:k] = rng.permutation(self.villages.count)[:k]
        hh_decile = 1 + _weighted(rng, POOR_DECILES, n_hh)
        hh_dotted = rng.random(n_hh) < POVERTY_DOTTED
        hh_kk = self._kk(rng, self.villages.district[hh_village])
        hh_key = rng.random(n_hh)

        of = np.repeat(np.arange(n_hh), hh_sizes)
        village = hh_village[of]
        female = rng.random(n_others) < 0.5
        birth = _DAY1 - rng.integers(1, 85 * 365, n_others)
        district = _districts(
            rng, self.villages.district[village], self.villages.districts, 0.02, 0.01
        )
        prefix = _nik_prefix(district, birth, female)
        serial, self.next_serial = _serials(rng, prefix, self.next_serial, 5)
        nik = prefix * 10_000 + serial
        names = _names(rng, female)
        no_birth = rng.random(n_others) < POVERTY_NO_BIRTH

        # The proposed workers listed in this chunk: each their own household.
        nw = len(workers)
        all_nik = np.concatenate([nik, w.nik[workers]])
        all_names = np.concatenate([names, w.names[workers]])
        all_birth = np.concatenate([birth, w.birth[workers]])
        all_village = np.concatenate([village, w.home[workers]])
        all_kk = np.concatenate([hh_kk[of], self._kk(rng, self.villages.district[w.home[workers]])])
        all_decile = np.concatenate([hh_decile[of], 1 + _weighted(rng, WORKER_DECILES, nw)])
        all_dotted = np.concatenate([hh_dotted[of], rng.random(nw) < POVERTY_DOTTED])
        all_no_birth = np.concatenate([no_birth, np.zeros(nw, dtype=bool)])
        key = np.concatenate([hh_key[of], rng.random(nw)])

        # Defects on people nobody proposed, one per row.
        reason = np.full(size, -1, dtype=np.int64)
        spots = rng.permutation(n_others)[: sum(defects.values())]
        at = 0
        for name, k in defects.items():
            reason[spots[at : at + k]] = _code(name)
            at += k
        nik_out = np.where(reason == _code("invalid_nik"), all_nik // 10, all_nik)
        decile_out = np.where(
            reason == _code("invalid_value"), np.where(rng.random(size) < 0.5, 0, 11), all_decile
        )
        outside = int(((reason < 0) & _outside(all_nik)).sum())

        order = np.argsort(key, kind="stable")  # households stay together
        reason = reason[order]
        village_text = _village_text(self.villages, all_village[order], all_dotted[order])
        unknown = reason == _code("unknown_village")
        if unknown.any():
            codes = pa.array(self.villages.unknown[all_village[order]].astype(str))
            village_text = pc.if_else(pa.array(unknown), codes, village_text)
        births = pa.array(all_birth[order].astype("datetime64[D]"), mask=all_no_birth[order])
        columns = [
            pc.cast(pa.array(nik_out[order]), pa.string()),
            pc.cast(pa.array(all_kk[order]), pa.string()),
            _name_array(all_names[order], reason == _code("missing_required")),
            pc.cast(births, pa.string()),
            village_text,
            pc.cast(pa.array(decile_out[order]), pa.string()),
        ]
        return columns, reason, outside

    def _kk(self, rng: np.random.Generator, district: np.ndarray) -> np.ndarray:
        """Family card numbers: district + issue date (DDMMYY) + serial, like a NIK."""
        n = len(district)
        issued = (date(2008, 1, 1) - _EPOCH).days + rng.integers(0, 6000, n)
        year, month, day = _ymd(issued)
        return (
            district * 1_000_000 + day * 10_000 + month * 100 + year % 100
        ) * 10_000 + rng.integers(1, 10_000, n)

    # -- member_exports -------------------------------------------------------------------------
    def _members(self, w: _Workers) -> None:
        rng = _rng(self.seed, 5)
        rows1 = max(10, round(MEMBER_ROWS * self.scale))
        dups1 = _count(MEMBER_DEFECTS["duplicate_in_file"], rows1, MESS_FLOOR["rows"])
        accounts1 = rows1 - dups1
        workers1 = np.flatnonzero(w.extras["member_day1"])
        if len(workers1) > accounts1:
            workers1 = _pick(rng, workers1, accounts1)
            w.extras["member_day1"][:] = False
            w.extras["member_day1"][workers1] = True
        new_total = max(1, round(NEW_ACCOUNTS_DAY2 * accounts1))
        workers2 = np.flatnonzero(w.extras["member_day2"])
        if len(workers2) > new_total:
            workers2 = _pick(rng, workers2, new_total)
            w.extras["member_day2"][:] = False
            w.extras["member_day2"][workers2] = True
        others1 = accounts1 - len(workers1)
        others2 = new_total - len(workers2)

        # People with an account who were never proposed (day 1's, then day 2's new ones).
        n_others = others1 + others2
        village = rng.integers(0, self.villages.count, n_others)
        female = rng.random(n_others) < 0.45
        birth = _DAY1 - (rng.triangular(18.0, 35.0, 70.0, n_others) * 365.25).astype(np.int64)
        district = _districts(
            rng, self.villages.district[village], self.villages.districts, 0.03, 0.03
        )
        prefix = _nik_prefix(district, birth, female)
        serial, self.next_serial = _serials(rng, prefix, self.next_serial, 5)
        others = {
            "nik": prefix * 10_000 + serial,
            "names": _names(rng, female),
            "village": np.where(rng.random(n_others) < 0.7, village, -1),
        }
        del village, female, birth, district, prefix, serial
        day1 = self._accounts(rng, w, others, slice(0, others1), workers1, 0)
        new = self._accounts(rng, w, others, slice(others1, n_others), workers2, accounts1)
        del others
        self._account_state(rng, day1, new=False)
        self._account_state(rng, new, new=True)
        self._member_file(0, day1, dups1, _rng(self.seed, 6, 0))

        # Day 2: paid_through advanced for most active accounts, a few status changes.
        status, paid = day1["status"], day1["paid"]  # day 1 is written: change it in place
        roll = rng.random(len(status))
        active = status == _AKTIF
        paid[active & (roll < 0.7)] += 1
        lapse = active & (roll >= 0.99)
        back = (status == _NONAKTIF) & (roll < 0.02)
        status[lapse] = _NONAKTIF
        status[back] = _AKTIF
        paid[back] = np.maximum(paid[back], _month_index(DAYS[1]))
        day2 = {k: np.concatenate([day1.pop(k), new.pop(k)]) for k in list(day1)}
        dups2 = _count(MEMBER_DEFECTS["duplicate_in_file"], len(day2["id"]), MESS_FLOOR["rows"])
        self._member_file(1, day2, dups2, _rng(self.seed, 6, 1))

    def _accounts(
        self,
        rng: np.random.Generator,
        w: _Workers,
        others: dict[str, np.ndarray],
        part: slice,
        people: np.ndarray,
        first_id: int,
    ) -> dict[str, np.ndarray]:
        """Accounts of ``others[part]`` and of the proposed workers ``people``, shuffled,
        numbered from ``first_id`` (the number decides the KPJ)."""
        n_o = part.stop - part.start
        n = n_o + len(people)
        acc = {
            "worker": np.concatenate([np.zeros(n_o, dtype=bool), np.ones(len(people), dtype=bool)]),
            "nik": np.concatenate([others["nik"][part], w.nik[people]]),
            "names": np.concatenate([others["names"][part], w.names[people]]),
            "village": np.concatenate(
                [
                    others["village"][part],
                    np.where(rng.random(len(people)) < 0.9, w.home[people], -1),
                ]
            ).astype(np.int16),
        }
        perm = rng.permutation(n)
        acc = {k: v[perm] for k, v in acc.items()}
        acc["id"] = first_id + np.arange(n)
        return acc

    def _account_state(
        self, rng: np.random.Generator, acc: dict[str, np.ndarray], new: bool
    ) -> None:
        n = len(acc["id"])
        worker = acc["worker"]
        segment = _weighted(rng, SEGMENT_WEIGHTS, n)
        segment = np.where(worker, np.where(rng.random(n) < 0.9, _BPU, _PU), segment)
        status = _weighted(rng, STATUS_WEIGHTS, n)
        status = np.where(worker, np.where(rng.random(n) < 0.7, _AKTIF, _NONAKTIF), status)
        now = _month_index(DAYS[1] if new else DAYS[0])
        offset = np.asarray(PAID_OFFSET.items)[_weighted(rng, PAID_OFFSET, n)]
        paid = np.where(status == _AKTIF, now + offset, now - rng.integers(6, 48, n))
        payer = _weighted(rng, PAYER_WEIGHTS, n)
        payer = np.where(worker, rng.choice([0, 1, 2], size=n, p=[0.4, 0.2, 0.4]), payer)
        first_of_paid = (
            (paid - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
        )
        enrolled = np.minimum(first_of_paid, _DAY1) - rng.integers(30, 3000, n)
        if new:
            status[:] = _AKTIF
            paid = now + rng.integers(0, 3, n)
            payer = np.where(worker, 2, payer)  # the village pays (APBDES)
            enrolled = np.full(n, (DAYS[1] - _EPOCH).days, dtype=np.int64)
        acc.update(
            segment=segment.astype(np.int8),
            status=status.astype(np.int8),
            paid=paid.astype(np.int32),
            payer=payer.astype(np.int8),
            enrolled=enrolled.astype(np.int32),
        )

    def _member_file(
        self, day: int, acc: dict[str, np.ndarray], dups: int, rng: np.random.Generator
    ) -> None:
        """One export: every account once, ``dups`` clean rows twice (the copy is
        duplicate_in_file), a few rows with one defect each."""
        n = len(acc["id"])
        floor = MESS_FLOOR["rows"]
        spots = rng.permutation(n)
        defect = np.full(n, -1, dtype=np.int64)
        at = 0
        for name, share in MEMBER_DEFECTS.items():
            if name == "duplicate_in_file":
                continue
            k = _count(share, n, floor)
            defect[spots[at : at + k]] = _code(name)
            at += k
        doubled = np.sort(spots[at : at + dups])
        rows = np.insert(np.arange(n), doubled + 1, doubled)  # each copy right after its row
        reason = defect[rows].copy()
        copy = np.zeros(len(rows), dtype=bool)
        copy[1:] = rows[1:] == rows[:-1]
        reason[copy] = _code("duplicate_in_file")

        mod = 9 * 10 ** (self.kpj_digits - 1)
        if n > mod:
            raise ValueError(f"kpj_digits {self.kpj_digits} is too few for {n} accounts")
        kpj_of = (
            10 ** (self.kpj_digits - 1)
            + ((_KPJ_MULTIPLIER % mod) * acc["id"] + (self.seed * 7919) % mod) % mod
        )
        nik = acc["nik"]
        outside = int(((reason < 0) & _outside(nik[rows])).sum())
        month_text = _month_table()
        stamp = DAYS[day].isoformat()
        path = (
            self._folder(day, MEMBERS) / f"ekspor_kepesertaan_bpjstk_sumsel_{DAYS[day]:%Y%m%d}.csv"
        )
        sink = _Digest(path)
        sink.write((",".join(MEMBER_HEADER) + "\n").encode("utf-8"))
        segments = pa.array(SEGMENT_WEIGHTS.items, pa.string())
        statuses = pa.array(STATUS_WEIGHTS.items, pa.string())
        payers = pa.array(PAYER_WEIGHTS.items, pa.string())
        for begin in range(0, len(rows), CHUNK_ROWS):
            r = rows[begin : begin + CHUNK_ROWS]
            why = reason[begin : begin + CHUNK_ROWS]
            kpj = np.where(why == _code("invalid_kpj"), kpj_of[r] // 10, kpj_of[r])
            nik_out = np.where(why == _code("invalid_nik"), nik[r] // 10, nik[r])
            status = pc.take(statuses, pa.array(acc["status"][r].astype(np.int32)))
            bad_status = why == _code("invalid_value")
            if bad_status.any():
                status = pc.if_else(pa.array(bad_status), pa.scalar("AKTIP"), status)
            vil = acc["village"][r]
            has_village = vil >= 0
            village_index = pa.array(
                np.where(has_village, vil, 0).astype(np.int32), mask=~has_village
            )
            paid_idx = pa.array((acc["paid"][r] - month_text[0]).astype(np.int32))
            columns = [
                pc.cast(pa.array(kpj), pa.string()),
                pc.cast(pa.array(nik_out), pa.string()),
                _name_array(acc["names"][r], why == _code("missing_required")),
                pc.take(segments, pa.array(acc["segment"][r].astype(np.int32))),
                status,
                pc.take(month_text[1], paid_idx),
                pc.cast(pa.array(acc["enrolled"][r].astype("datetime64[D]")), pa.string()),
                pc.take(pa.array([stamp]), pa.array(np.zeros(len(r), dtype=np.int32))),
                pc.take(self.villages.text, village_index),
                pc.take(payers, pa.array(acc["payer"][r].astype(np.int32))),
                pc.fill_null(pc.take(self.villages.branch, village_index), "KC PALEMBANG"),
            ]
            _write_lines(sink, columns, ",", "\n")
            done = min(begin + CHUNK_ROWS, len(rows))
            self.progress(f"member export day {day + 1}: {done}/{len(rows)} rows")
        sha, size = sink.close()
        expected = _expected(reason, {"nik_outside_province": outside})
        self._record(day, MEMBERS, path, "csv", sha, size, expected, ",", "utf-8")


def _month_table() -> tuple[int, pa.Array]:
    """("YYYY-MM" for every month index from 2000 to 2039), as (first index, texts)."""
    first = _month_index(date(2000, 1, 1))
    texts = [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(first, first + 40 * 12)]
    return first, pa.array(texts, pa.string())


def _address(bits: int) -> str:
    kind, a, b, c, rw = (
        bits % 10,
        (bits >> 4) % 7,
        (bits >> 8) % 12 + 1,
        (bits >> 12) % 40 + 1,
        (bits >> 18) % 20,
    )
    if kind < 6:
        text = f"Dusun {ROMAN[a]} RT {b:03d}"
        return text + (f" RW {rw % 6 + 1:03d}" if rw < 6 else "")
    if kind < 8:
        return f"Jl. {STREET_WORDS[a]} Km {c}"
    return f"Lr. {STREET_WORDS[a]} RT {b % 9 + 1:02d}, Dusun {ROMAN[c % 7]}"


def _phone(bits: int) -> str:
    prefix = PHONE_PREFIXES[bits % len(PHONE_PREFIXES)]
    number = 10**6 + (bits >> 8) % (10**8 - 10**6)
    digits = f"0{prefix}{number}"
    style = (bits >> 36) % 20
    if style < 14:
        return digits
    if style < 17:
        return f"{digits[:4]}-{digits[4:8]}-{digits[8:]}"
    return f"+62 {digits[1:]}"
