"""village_submissions/: each desa's list of proposed vulnerable workers, as villages type them.

Files are planned first (which village, which day, which template), then filled with rows,
then defects are placed, and only then rendered; a row's expected reason is decided when
the file is rendered, walking the rows in order, so ``duplicate_in_file`` always refers to
an earlier row that really loads.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from cakupan_dev.generate.cells import (
    EXCEL_DATE_FORMATS,
    INVALID_NIK_VARIANTS,
    TEXT_DATE_STYLES,
    DefectTable,
    bad_nik,
    clean_id,
    date_cell,
    excel_number,
    header_label,
    nik_flags,
    nik_is_valid,
    type_nik,
    village_text,
)
from cakupan_dev.generate.model import (
    LOADED,
    REJECTED_FILE,
    SKIPPED,
    Ctx,
    LandingFile,
    TruthRow,
    safe_name,
)
from cakupan_dev.generate.people import Person, age_on, years_before
from cakupan_dev.generate.region import Village
from cakupan_dev.generate.writers import XCell, csv_bytes, xlsx_bytes

SOURCE = "village_submissions"

TRUTH_COLUMNS = (
    "delivery_date",
    "file_name",
    "row_number",
    "nik",
    "village_code",
    "submitted_on",
    "birth_date",
    "sex",
    "expected_reason",
    "expected_flags",
    "nik_as_written",
    "variant",
)
HEADERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "no": (("no",),),
    "village_code": (("kode", "desa"), ("kode", "desa"), ("kode", "wilayah")),
    "nik": (("nik",), ("nik",), ("no", "ktp"), ("no", "nik"), ("nomor", "induk", "kependudukan")),
    "name": (("nama",), ("nama", "lengkap")),
    "birth_date": (("tanggal", "lahir"), ("tgl", "lahir")),
    "sex": (("jenis", "kelamin"), ("jk",), ("l/p",)),
    "occupation": (("pekerjaan",), ("jenis", "pekerjaan")),
    "submitted_on": (("tanggal", "usulan"), ("tgl", "usulan")),
    "address": (("alamat",),),
    "phone": (("no", "hp"), ("telepon",)),
    "remark": (("keterangan",),),
}
REMARKS = ("", "", "", "baru", "KTP-el sudah", "pindahan", "belum punya HP")

# variant -> CONTRACT §3 reason (None: the row loads, with a flag)
VARIANTS: dict[str, str | None] = {
    "missing_name": "missing_required",
    "missing_nik": "missing_required",
    "missing_birth": "missing_required",
    "missing_village": "missing_required",
    "nik_numeric": "nik_numeric_cell",
    **{v: "invalid_nik" for v in INVALID_NIK_VARIANTS},
    # Excel's scientific notation in a CSV: the column was numbers before it was saved, so
    # the project counts it as a numeric cell (sources/normalise.py documents the choice).
    "nik_scientific": "nik_numeric_cell",
    "village_unknown": "unknown_village",
    "village_district": "unknown_village",
    "birth_impossible": "invalid_date",
    "birth_future": "invalid_date",
    "submitted_future": "invalid_date",
    "submitted_text": "invalid_date",
    "flag_birth": None,
    "flag_sex": None,
    "duplicate": None,  # an earlier row's worker again: duplicate_in_file if that row loaded
}
# Per-row chance of each random defect (a few per cent in all).
RANDOM_DEFECTS = DefectTable(
    (
        ("missing_name", 0.002),
        ("missing_nik", 0.003),
        ("missing_birth", 0.002),
        ("missing_village", 0.002),
        ("nik_numeric", 0.004),
        ("nik_short", 0.003),
        ("nik_long", 0.001),
        ("nik_letter", 0.001),
        ("nik_province", 0.001),
        ("nik_day", 0.001),
        ("nik_month", 0.001),
        ("nik_serial", 0.001),
        ("nik_scientific", 0.001),
        ("village_unknown", 0.002),
        ("village_district", 0.001),
        ("birth_impossible", 0.002),
        ("birth_future", 0.002),
        ("submitted_future", 0.002),
        ("submitted_text", 0.001),
        ("flag_birth", 0.010),
        ("flag_sex", 0.008),
    )
)
# Placed on the first day's files when chance did not produce them: every reason, every
# kind of missing field and both flags occur in every scenario.
MANDATORY = (
    "missing_name",
    "missing_nik",
    "missing_birth",
    "missing_village",
    "nik_numeric",
    "nik_short",
    "nik_day",
    "nik_serial",
    "village_unknown",
    "birth_impossible",
    "birth_future",
    "submitted_future",
    "submitted_text",
    "flag_birth",
    "flag_sex",
)


@dataclass(slots=True)
class SubRow:
    person: Person
    village: str  # the proposing village
    village_code: str  # as written, without dots ("" = empty cell)
    village_style: str  # plain | dotted | number
    nik_text: str  # as written ("" = empty cell)
    nik_numeric: bool
    name: str
    birth: date | str | None  # a date, unparseable text, or empty
    birth_style: str
    sex: str | None  # L | P as written, None = empty or no column
    submitted: date | str | None  # None = empty cell (or no column)
    variant: str | None = None
    protected: bool = False  # half of an intended duplicate: defects go elsewhere

    @property
    def reason(self) -> str | None:
        return VARIANTS[self.variant] if self.variant else None


@dataclass
class SubFile:
    day: int
    name: str
    villages: list[Village]
    kind: str  # xlsx | csv
    columns: list[str]
    headers: list[str]
    delimiter: str = ","
    encoding: str = "utf-8"
    newline: str = "\r\n"
    date_style: str = "iso"
    village_style: str = "plain"
    nik_style: str = "plain"
    sex_style: str = "short"
    upper: bool = False
    submitted_mode: str = "single"
    submitted_base: date | None = None
    rows: list[SubRow | None] = field(default_factory=list)  # None = an all-empty row
    trailing_blank: int = 0
    sheet: str = "Sheet1"
    text_nik_format: bool = False
    status: str = LOADED
    note: str = ""

    @property
    def has_submitted(self) -> bool:
        return "submitted_on" in self.columns

    @property
    def has_sex(self) -> bool:
        return "sex" in self.columns

    def data_rows(self) -> list[SubRow]:
        return [r for r in self.rows if r is not None]


@dataclass
class Proposal:
    """A loaded submission row, as the member builder needs it."""

    person: Person
    village: str
    day: int
    submitted_on: date
    eligible: bool


@dataclass
class SubmissionResult:
    files: list[SubFile]
    truth: list[TruthRow]
    proposals: list[Proposal]
    persons: list[Person]  # everyone in a submission file, first appearance order


class SubmissionBuilder:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.rng = ctx.rng("submissions")
        self.n_days = len(ctx.days)
        self.campaign_start = ctx.days[0] - timedelta(days=7)

    # -- planning ---------------------------------------------------------------------------
    def plan(self) -> list[SubFile]:
        rng = self.rng
        files: list[SubFile] = []
        for regency in self.ctx.regencies:
            villages = self.ctx.region.by_regency[regency]
            desa = [v for v in villages if v.type == "desa"]
            kel = [v for v in villages if v.type != "desa"]
            if desa:
                k = max(1, round(len(desa) * rng.uniform(0.55, 0.65)))
                chosen = sorted(rng.sample(desa, k), key=lambda v: v.code)
                if kel and rng.random() < 0.6:
                    chosen.append(rng.choice(kel))
            else:  # a city of kelurahan only: a few still send lists
                chosen = sorted(rng.sample(kel, max(1, len(kel) // 5)), key=lambda v: v.code)
            day_of = {v.code: rng.randrange(self.n_days) for v in chosen}
            groups: list[list[Village]] = [[v] for v in chosen]
            if len(chosen) >= 12:
                groups = self._district_rekap(chosen, rng)
            for group in groups:
                day = min(day_of[v.code] for v in group)
                files.append(self._new_file(day, group))
        files.sort(key=lambda f: (f.day, f.villages[0].code))
        self._ensure_first_day_templates(files)
        return files

    def _district_rekap(self, chosen: list[Village], rng: random.Random) -> list[list[Village]]:
        """One district office sends a compiled list for two or three of its villages."""
        by_district: dict[str, list[Village]] = {}
        for v in chosen:
            by_district.setdefault(v.district_code, []).append(v)
        eligible = [d for d, vs in by_district.items() if len(vs) >= 3]
        if not eligible:
            return [[v] for v in chosen]
        members = by_district[rng.choice(eligible)][: rng.randint(2, 3)]
        codes = {v.code for v in members}
        groups = [[v] for v in chosen if v.code not in codes]
        groups.append(members)
        return groups

    def _file_name(self, villages: list[Village], kind: str) -> str:
        rng = self.rng
        v = villages[0]
        name = safe_name(v.name)
        if len(villages) > 1:
            stem = f"Rekap Usulan Pekerja Rentan Kec {safe_name(v.district_name)}"
        else:
            word = "Kelurahan" if v.type != "desa" else "Desa"
            stem = rng.choice(
                (
                    f"Usulan Pekerja Rentan {word} {name}",
                    f"{v.code}_usulan_bpjstk",
                    f"DAFTAR USULAN BPU {word.upper()} {name.upper()}",
                    f"usulan_bpjs_{name.lower().replace(' ', '_')}",
                    f"{word} {name} - Usulan Jamsostek 2025",
                )
            )
        return self.ctx.unique_name(SOURCE, f"{stem}.{kind}", v.code)

    def _new_file(self, day: int, villages: list[Village], kind: str | None = None) -> SubFile:
        rng = self.rng
        kind = kind or ("xlsx" if rng.random() < 0.45 else "csv")
        template = rng.random() < 0.1  # the province's template: canonical column names
        columns = ["village_code", "nik", "name", "birth_date"]
        for col, share in (
            ("sex", 0.85),
            ("occupation", 0.8),
            ("submitted_on", 0.6),
            ("address", 0.7),
            ("phone", 0.5),
            ("remark", 0.2),
        ):
            if rng.random() < share:
                columns.append(col)
        rng.shuffle(columns)
        if not template and rng.random() < 0.6:
            columns.insert(0, "no")
        headers = [
            col
            if template and col not in ("no", "remark")
            else header_label(rng.choice(HEADERS[col]), rng)
            for col in columns
        ]
        f = SubFile(
            day=day,
            name=self._file_name(villages, kind),
            villages=villages,
            kind=kind,
            columns=columns,
            headers=headers,
        )
        if kind == "csv":
            f.delimiter = "," if rng.random() < 0.5 else ";"
            f.encoding = rng.choices(("utf-8", "utf-8-sig", "cp1252"), (45, 30, 25))[0]
            f.newline = "\r\n" if rng.random() < 0.7 else "\n"
            f.date_style = rng.choice(TEXT_DATE_STYLES)
        else:
            f.sheet = rng.choice(("Sheet1", "Usulan", "DATA", "Daftar Usulan"))
            f.text_nik_format = rng.random() < 0.5
            if rng.random() < 0.6:
                f.date_style = "excel:" + rng.choice(EXCEL_DATE_FORMATS)
            else:
                f.date_style = rng.choice(TEXT_DATE_STYLES)
        roll = rng.random()
        f.village_style = "plain" if roll < 0.6 else "dotted" if roll < 0.9 else "number"
        if f.village_style == "number" and kind == "csv":
            f.village_style = "plain"
        roll = rng.random()
        f.nik_style = "plain" if roll < 0.75 else "apostrophe" if roll < 0.9 else "spaces"
        f.upper = rng.random() < 0.4
        f.sex_style = rng.choice(("short", "short", "long"))
        f.submitted_mode = "single" if rng.random() < 0.7 else "per_row"
        lag = rng.choices((0, 1, 2, 3, 4), (40, 25, 15, 12, 8))[0]
        f.submitted_base = max(self.campaign_start, self.ctx.days[day] - timedelta(days=lag))
        f.trailing_blank = rng.choice((0, 0, 0, 0, 1, 2, 3))
        return f

    def _ensure_first_day_templates(self, files: list[SubFile]) -> None:
        """The first day needs an xlsx and a CSV with dates and sex: mandatory defects go there."""
        first = [f for f in files if f.day == 0]
        while len(first) < 2:
            later = next(f for f in files if f.day != 0)
            later.day = 0
            first.append(later)
        for f, kind in zip(first[:2], ("xlsx", "csv"), strict=True):
            if f.kind != kind:
                replacement = self._new_file(0, f.villages, kind)
                self.ctx.used_names[SOURCE].pop(f.name)
                f.__dict__.update(replacement.__dict__)
            for col in ("submitted_on", "sex"):
                if col not in f.columns:
                    f.columns.append(col)
                    f.headers.append(header_label(HEADERS[col][0], self.rng))
        files.sort(key=lambda f: (f.day, f.villages[0].code))

    # -- rows -------------------------------------------------------------------------------
    def _submitted_for_row(self, f: SubFile) -> date | None:
        if not f.has_submitted or self.rng.random() < 0.04:
            return None
        if f.submitted_mode == "single":
            return f.submitted_base
        delivery = self.ctx.days[f.day]
        lag = self.rng.randint(0, 6)
        return max(self.campaign_start, delivery - timedelta(days=lag))

    def _birth_for(self, effective: date) -> date:
        rng = self.rng
        if rng.random() < 0.012:  # birthdays right on an age limit
            years = rng.choice((15, 65))
            return years_before(effective, years) + timedelta(days=rng.choice((0, 1)))
        return self.ctx.factory.worker_birth(effective)

    def new_row(
        self,
        f: SubFile,
        village: Village,
        person: Person | None = None,
        submitted: date | None = None,
        accented: bool = False,
    ) -> SubRow:
        rng = self.rng
        if person is None:
            submitted = self._submitted_for_row(f)
            effective = submitted or self.ctx.days[f.day]
            person = self.ctx.factory.make(
                village.code, self._birth_for(effective), accented=accented
            )
        style = (
            f.nik_style
            if rng.random() < 0.93
            else rng.choice(("plain", "apostrophe", "spaces", "dots", "dashes", "padded"))
        )
        birth_style = f.date_style
        if rng.random() < 0.06:
            birth_style = rng.choice(TEXT_DATE_STYLES)
        return SubRow(
            person=person,
            village=village.code,
            village_code=village.code,
            village_style=f.village_style if rng.random() < 0.95 else "plain",
            nik_text=type_nik(person.nik, style),
            nik_numeric=False,
            name=person.name.upper() if f.upper else person.name,
            birth=person.birth,
            birth_style=birth_style,
            sex=person.sex if f.has_sex and rng.random() > 0.02 else None,
            submitted=submitted if f.has_submitted else None,
        )

    def fill(self, f: SubFile) -> None:
        rng = self.rng
        for village in f.villages:
            n = max(5, round(rng.uniform(60, 120) * self.ctx.scale))
            for i in range(n):
                # A Windows-1252 file always holds a name that is not plain ASCII.
                accented = f.encoding == "cp1252" and i == 0 and village is f.villages[0]
                f.rows.append(self.new_row(f, village, accented=accented))
        for row in f.data_rows():
            variant = RANDOM_DEFECTS.pick(rng)
            if variant and self.compatible(f, row, variant):
                self.apply(f, row, variant)

    def compatible(self, f: SubFile, row: SubRow, variant: str) -> bool:
        if row.variant is not None or row.protected:
            return False
        if variant == "nik_numeric":
            return f.kind == "xlsx"
        if variant == "nik_scientific":
            return f.kind == "csv"
        if variant.startswith("submitted_"):
            return f.has_submitted
        if variant == "flag_sex":
            return row.sex is not None
        return True

    def apply(self, f: SubFile, row: SubRow, variant: str) -> None:
        rng = self.rng
        delivery = self.ctx.days[f.day]
        nik = row.person.nik
        if variant == "missing_name":
            row.name = ""
        elif variant == "missing_nik":
            row.nik_text = ""
        elif variant == "missing_birth":
            row.birth = None
        elif variant == "missing_village":
            row.village_code = ""
        elif variant == "nik_numeric":
            row.nik_numeric = True
        elif variant in INVALID_NIK_VARIANTS or variant == "nik_scientific":
            row.nik_text = bad_nik(nik, variant, rng)
        elif variant == "village_unknown":
            row.village_code = f"{row.village[:6]}9{rng.randint(0, 999):03d}"
        elif variant == "village_district":
            row.village_code = row.village[:6]
        elif variant == "birth_impossible":
            y = row.person.birth.year
            row.birth = rng.choice((f"31/02/{y}", f"30 Februari {y}", f"{y}-02-30", f"31-04-{y}"))
        elif variant == "birth_future":
            # "1987" typed as "2087"; the young get a date some weeks or months ahead
            born = row.person.birth
            typo = (
                None
                if (born.month, born.day) == (2, 29)
                else born.replace(year=2000 + born.year % 100)
            )
            if typo is None or typo <= delivery:
                typo = delivery + timedelta(days=rng.randint(20, 400))
            row.birth = typo
        elif variant == "submitted_future":
            row.submitted = delivery + timedelta(days=rng.randint(1, 25))
        elif variant == "submitted_text":
            row.submitted = rng.choice(("kemarin", "29/02/2025", "minggu lalu", "31 Juni 2025"))
        elif variant == "flag_birth":
            row.birth = self._shifted_birth(row.person.birth)
        elif variant == "flag_sex":
            row.sex = "P" if row.person.sex == "L" else "L"
        else:
            raise ValueError(f"unknown variant {variant}")
        row.variant = variant

    def _shifted_birth(self, born: date) -> date:
        """A birth date typed differently from the NIK (a day or year off, day/month swapped)."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.3 and born.day <= 12 and born.day != born.month:
            return date(born.year, born.day, born.month)
        if roll < 0.6:
            return born + timedelta(days=rng.choice((-2, -1, 1, 2, 10)))
        try:
            return born.replace(year=born.year + rng.choice((-1, 1)))
        except ValueError:
            return born + timedelta(days=1)

    # -- intended duplicates ---------------------------------------------------------------
    def add_in_file_duplicates(self, files: list[SubFile]) -> None:
        rng = self.rng
        for f in files:
            if rng.random() >= 0.12:
                continue
            for _ in range(rng.randint(1, 2)):
                self._duplicate_one(f)

    def _duplicate_one(self, f: SubFile, near_end: bool = False) -> bool:
        rng = self.rng
        rows = f.rows
        candidates = [
            i
            for i, r in enumerate(rows)
            if r is not None and r.variant is None and not r.protected and i < len(rows) - 1
        ]
        if not candidates:
            return False
        i = rng.choice(candidates[: max(1, len(candidates) // 2)])
        original = rows[i]
        assert original is not None
        original.protected = True
        village = next(v for v in f.villages if v.code == original.village)
        copy = self.new_row(f, village, person=original.person, submitted=original.submitted)
        copy.birth, copy.sex, copy.name = original.birth, original.sex, original.name
        copy.variant = "duplicate"
        copy.protected = True
        pos = len(rows) if near_end else rng.randint(i + 1, len(rows))
        rows.insert(pos, copy)
        return True

    def add_cross_village_duplicates(self, files: list[SubFile]) -> int:
        """A few workers proposed by two villages on different dates (the earliest keeps them)."""
        rng = self.rng
        total = sum(len(f.rows) for f in files)
        wanted = max(3, round(total * 0.004))
        made = 0
        attempts = 0
        while made < wanted and attempts < wanted * 30:
            attempts += 1
            a = rng.choice(files)
            others = [
                b
                for b in files
                if b is not a
                and b.villages[0].regency_code == a.villages[0].regency_code
                and {v.code for v in b.villages}.isdisjoint(v.code for v in a.villages)
            ]
            if not others:
                continue
            same_district = [
                b for b in others if b.villages[0].district_code == a.villages[0].district_code
            ]
            b = rng.choice(same_district or others)
            rows = [r for r in a.data_rows() if r.variant is None and not r.protected]
            if not rows:
                continue
            row = rng.choice(rows)
            first = self.effective_submitted(a, row)
            assert isinstance(first, date)
            submitted: date | None
            if b.has_submitted:
                submitted = b.submitted_base or self.ctx.days[b.day]
                if submitted == first:
                    submitted = submitted - timedelta(days=1)
            else:
                submitted = None
                if self.ctx.days[b.day] == first:
                    continue
            row.protected = True
            copy = self.new_row(b, b.villages[0], person=row.person, submitted=submitted)
            copy.protected = True
            b.rows.insert(rng.randint(0, len(b.rows)), copy)
            made += 1
        return made

    def effective_submitted(self, f: SubFile, row: SubRow) -> date | str:
        """CONTRACT §2: the received date when the column is absent or the cell empty."""
        if not f.has_submitted or row.submitted is None:
            return self.ctx.days[f.day]
        return row.submitted

    def force_mandatory(self, files: list[SubFile]) -> None:
        present = {r.variant for f in files for r in f.data_rows()}
        first_day = [f for f in files if f.day == 0]
        for variant in MANDATORY:
            if variant in present:
                continue
            for f in first_day:
                rows = [r for r in f.data_rows() if self.compatible(f, r, variant)]
                if rows:
                    self.apply(f, self.rng.choice(rows), variant)
                    break
            else:
                raise RuntimeError(f"no first-day row can carry {variant}")
        if "duplicate" not in {r.variant for f in files for r in f.data_rows()}:
            self._duplicate_one(first_day[0], near_end=True)

    def add_blank_rows(self, f: SubFile) -> None:
        rng = self.rng
        out: list[SubRow | None] = []
        for row in f.rows:
            if out and rng.random() < 0.012:
                out.append(None)
            out.append(row)
        f.rows = out

    # -- rendering --------------------------------------------------------------------------
    def _sex_text(self, f: SubFile, sex: str) -> str:
        if f.sex_style == "short":
            return sex
        text = "Laki-laki" if sex == "L" else "Perempuan"
        return text.upper() if f.upper else text

    def _cell(self, f: SubFile, col: str, row: SubRow, number: int) -> object:
        xlsx = f.kind == "xlsx"
        p = row.person
        if col == "no":
            return number if xlsx else str(number)
        if col == "village_code":
            if not row.village_code:
                return None
            if row.village_style == "number" and xlsx:
                return int(row.village_code)
            return village_text(row.village_code, row.village_style)
        if col == "nik":
            if row.nik_numeric:
                return excel_number(p.nik)
            return row.nik_text or None
        if col == "name":
            return row.name or None
        if col == "birth_date":
            if row.birth is None or isinstance(row.birth, str):
                return row.birth
            style = row.birth_style
            if style.startswith("excel:") and not xlsx:
                style = "iso"
            return date_cell(row.birth, style, xlsx)
        if col == "sex":
            return self._sex_text(f, row.sex) if row.sex else None
        if col == "occupation":
            return p.occupation.upper() if f.upper else p.occupation
        if col == "submitted_on":
            if row.submitted is None or isinstance(row.submitted, str):
                return row.submitted
            return date_cell(row.submitted, f.date_style, xlsx)
        if col == "address":
            return p.address.upper() if f.upper else p.address
        if col == "phone":
            return p.phone if int(p.nik[-4:]) % 3 else None  # a third leave it empty
        if col == "remark":
            return REMARKS[int(p.nik[-1]) % len(REMARKS)] or None
        raise ValueError(col)

    def render(self, f: SubFile) -> tuple[bytes, list[TruthRow], list[Proposal]]:
        """The file's bytes, its truth rows and its loaded proposals."""
        delivery = self.ctx.days[f.day]
        out_rows: list[list[object]] = []
        truth: list[TruthRow] = []
        proposals: list[Proposal] = []
        loaded: dict[str, None] = {}
        number = 0
        for row_number, row in enumerate(f.rows, start=2):
            if row is None:
                out_rows.append([])
                continue
            number += 1
            out_rows.append([self._cell(f, col, row, number) for col in f.columns])
            reason = row.reason
            if reason is None:
                if row.person.nik in loaded:
                    reason = "duplicate_in_file"
                else:
                    loaded[row.person.nik] = None
            effective = self.effective_submitted(f, row)
            birth = row.birth if isinstance(row.birth, date) else None
            flags = ""
            if reason is None:
                self._assert_clean(f, row, effective)
                assert isinstance(effective, date) and birth is not None
                flags = nik_flags(row.person.nik, birth, row.sex)
                proposals.append(
                    Proposal(
                        row.person,
                        row.village_code,
                        f.day,
                        effective,
                        15 <= age_on(birth, effective) < 65,
                    )
                )
            truth.append(
                (
                    delivery.isoformat(),
                    f.name,
                    row_number,
                    row.person.nik,
                    row.village_code,
                    effective.isoformat() if isinstance(effective, date) else "",
                    birth.isoformat() if birth else "",
                    row.sex or "",
                    reason or "",
                    flags,
                    _as_written(self._cell(f, "nik", row, number)),
                    row.variant or "",
                )
            )
        out_rows.extend([] for _ in range(f.trailing_blank))
        if f.kind == "xlsx":
            data = xlsx_bytes(
                f.headers,
                out_rows,
                when=self.ctx.stamp(f.day, len(truth)),
                sheet=f.sheet,
                creator=f"Operator Desa {f.villages[0].name}",
                text_columns=[f.columns.index("nik") + 1] if f.text_nik_format else (),
            )
        else:
            data = csv_bytes(
                f.headers, out_rows, delimiter=f.delimiter, encoding=f.encoding, newline=f.newline
            )
        return data, truth, proposals

    def _assert_clean(self, f: SubFile, row: SubRow, effective: date | str) -> None:
        delivery = self.ctx.days[f.day]
        assert clean_id(row.nik_text) == row.person.nik and nik_is_valid(row.person.nik), row
        assert self.ctx.region.known(row.village_code), row
        assert row.name and isinstance(row.birth, date) and row.birth <= delivery, row
        assert isinstance(effective, date) and effective <= delivery, row

    # -- special deliveries ----------------------------------------------------------------
    def missing_nik_file(self, files: list[SubFile]) -> SubFile:
        """A CSV without its NIK column; the village sends a proper list on a later day."""
        later = [f for f in files if f.day > 0 and len(f.villages) == 1]
        if later:
            target = later[0]
            broken = self._new_file(0, target.villages, "csv")
        else:
            used = {v.code for f in files for v in f.villages}
            spare = [
                v
                for r in self.ctx.regencies
                for v in self.ctx.region.by_regency[r]
                if v.code not in used
            ]
            broken = self._new_file(0, [spare[0] if spare else files[0].villages[0]], "csv")
        drop = broken.columns.index("nik")
        broken.columns.pop(drop)
        broken.headers.pop(drop)
        for _ in range(max(5, round(20 * self.ctx.scale))):
            broken.rows.append(self.new_row(broken, broken.villages[0]))
        broken.status = REJECTED_FILE
        broken.note = "required column nik missing (kolom NIK tidak ditemukan)"
        return broken

    def overwrite(self, original: SubFile, day: int) -> SubFile:
        """The same file name delivered again with corrected and added rows."""
        v2 = SubFile(**{**original.__dict__, "rows": [], "day": day})
        for row in original.data_rows():
            if row.variant == "duplicate":
                continue
            if row.reason is not None:
                village = next(v for v in original.villages if v.code == row.village)
                fixed = self.new_row(
                    v2, village, person=row.person, submitted=original.submitted_base
                )
                v2.rows.append(fixed)
            else:
                v2.rows.append(row)
        for _ in range(max(1, round(len(v2.rows) * self.rng.uniform(0.05, 0.15)))):
            v2.rows.append(self.new_row(v2, original.villages[0]))
        v2.note = f"overwrites {original.name} of {self.ctx.days[original.day]} with new content"
        v2.trailing_blank = 0
        return v2

    # -- the whole source -------------------------------------------------------------------
    def build(self) -> SubmissionResult:
        ctx = self.ctx
        files = self.plan()
        for f in files:
            self.fill(f)
        self.add_in_file_duplicates(files)
        self.add_cross_village_duplicates(files)
        self.force_mandatory(files)
        self._numeric_nik_file(files)
        for f in files:
            self.add_blank_rows(f)
        broken = self.missing_nik_file(files)
        all_files = [*files, broken]
        overwritten: SubFile | None = None
        if self.n_days >= 2:
            candidates = [f for f in files if f.day == 0 and len(f.villages) == 1][2:]
            if candidates:
                original = self.rng.choice(candidates)
                overwritten = self.overwrite(original, min(2, self.n_days - 1))
                all_files.append(overwritten)
        truth: list[TruthRow] = []
        proposals: list[Proposal] = []
        rendered: dict[int, bytes] = {}
        for f in all_files:
            data, rows, props = self.render(f)
            rendered[id(f)] = data
            ctx.files.append(LandingFile(f.day, SOURCE, f.name, data, f.status, f.note))
            if f.status == LOADED:
                truth.extend(rows)
                proposals.extend(props)
        self._resend_and_corrupt(files, rendered, overwritten)
        persons: dict[str, Person] = {}
        for f in files:
            for r in f.data_rows():
                persons.setdefault(r.person.nik, r.person)
        return SubmissionResult(files, truth, proposals, list(persons.values()))

    def _numeric_nik_file(self, files: list[SubFile]) -> None:
        """One operator typed the whole NIK column as numbers (every row nik_numeric_cell)."""
        later = [
            f
            for f in files
            if f.kind == "xlsx" and f.day == min(1, self.n_days - 1) and len(f.villages) == 1
        ][2:]
        if not later:
            return
        f = self.rng.choice(later)
        for row in f.data_rows():
            if row.variant is None and not row.protected:
                row.variant = "nik_numeric"
                row.nik_numeric = True

    def _resend_and_corrupt(
        self, files: list[SubFile], rendered: dict[int, bytes], overwritten: SubFile | None
    ) -> None:
        ctx = self.ctx
        if self.n_days < 2:
            return
        skip = {overwritten.name} if overwritten else set()
        first = [f for f in files if f.day == 0 and f.name not in skip]
        original = first[-1]
        stem, _, ext = original.name.rpartition(".")
        name = ctx.unique_name(SOURCE, f"{stem} - kirim ulang.{ext}", "(2)")
        ctx.files.append(
            LandingFile(
                1,
                SOURCE,
                name,
                rendered[id(original)],
                SKIPPED,
                f"same content as {original.name} delivered {ctx.days[original.day]}",
            )
        )
        xlsx = [f for f in files if f.kind == "xlsx" and f.day == 1] or [
            f for f in files if f.kind == "xlsx"
        ]
        if xlsx:
            source = xlsx[0]
            data = rendered[id(source)]
            stem = source.name.rpartition(".")[0]
            name = ctx.unique_name(SOURCE, f"{stem} (1).xlsx", "(3)")
            ctx.files.append(
                LandingFile(
                    1,
                    SOURCE,
                    name,
                    data[: len(data) * 2 // 5],
                    REJECTED_FILE,
                    "truncated download: not a readable xlsx (zip) file",
                )
            )


def _as_written(cell: object) -> str:
    """A cell as text for the truth's nik_as_written (a number cell: its integer digits)."""
    if cell is None:
        return ""
    if isinstance(cell, XCell):
        value = cell.value
        return str(int(value)) if isinstance(value, float) else str(value)
    return str(cell)
