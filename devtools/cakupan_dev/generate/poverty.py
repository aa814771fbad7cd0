"""poverty_lists/: the social agency's register extracts, one per regency, whole families.

Most proposed workers are in their regency's extract, with their families and about three
times as many other residents; proposed households sit in the low deciles more often. A
later extract for one regency moves a few families between deciles and villages.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from cakupan_dev.generate.cells import (
    INVALID_NIK_VARIANTS,
    DefectTable,
    bad_nik,
    clean_id,
    fmt_date,
    header_label,
    nik_flags,
    nik_is_valid,
    type_nik,
    village_text,
)
from cakupan_dev.generate.model import Ctx, LandingFile, TruthRow, safe_name
from cakupan_dev.generate.people import Person, Weighted
from cakupan_dev.generate.writers import csv_bytes

SOURCE = "poverty_lists"
COLUMNS = ("nik", "family_number", "name", "birth_date", "village_code", "decile")
HEADERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "nik": (("nik",), ("nik",), ("nik",), ("no", "ktp"), ("no", "nik")),
    "family_number": (("no", "kk"), ("no", "kk"), ("nomor", "kk")),
    "name": (("nama",),),
    "birth_date": (("tanggal", "lahir"), ("tanggal", "lahir"), ("tgl", "lahir")),
    "village_code": (("kode", "desa"), ("kode", "desa"), ("kode", "wilayah")),
    "decile": (("desil",),),
}
TRUTH_COLUMNS = (
    "delivery_date",
    "file_name",
    "row_number",
    "nik",
    "village_code",
    "decile",
    "expected_reason",
    "expected_flags",
    "nik_as_written",
    "variant",
)
POOR_DECILES = Weighted(range(1, 11), (16, 15, 14, 12, 11, 9, 8, 6, 5, 4))
OTHER_DECILES = Weighted(range(1, 11), (7, 8, 9, 10, 11, 11, 11, 11, 11, 11))

VARIANTS: dict[str, str | None] = {
    "missing_name": "missing_required",
    "missing_nik": "missing_required",
    "missing_village": "missing_required",
    "missing_decile": "missing_required",
    **{v: "invalid_nik" for v in INVALID_NIK_VARIANTS},
    "village_unknown": "unknown_village",
    "decile_0": "invalid_value",
    "decile_11": "invalid_value",
    "decile_x": "invalid_value",
    "birth_bad": None,  # optional and unused by §4: kept empty, the row loads
    "duplicate": None,
}
RANDOM_DEFECTS = DefectTable(
    (
        ("missing_name", 0.0005),
        ("missing_nik", 0.0008),
        ("missing_village", 0.0005),
        ("missing_decile", 0.0005),
        ("nik_short", 0.0008),
        ("nik_serial", 0.0004),
        ("nik_day", 0.0004),
        ("village_unknown", 0.0006),
        ("decile_0", 0.0004),
        ("decile_11", 0.0004),
        ("decile_x", 0.0003),
        ("birth_bad", 0.002),
    )
)
MANDATORY = (
    "missing_name",
    "missing_nik",
    "missing_village",
    "missing_decile",
    "nik_short",
    "village_unknown",
    "decile_0",
    "decile_11",
    "decile_x",
    "birth_bad",
)


@dataclass
class Household:
    kk: str
    village: str
    decile: int
    members: list[Person]


@dataclass(slots=True)
class PovRow:
    person: Person
    kk: str
    village_code: str
    decile: str
    birth: date | str | None
    nik_text: str
    name: str
    variant: str | None = None

    @property
    def reason(self) -> str | None:
        return VARIANTS[self.variant] if self.variant else None


@dataclass
class PovFile:
    day: int
    name: str
    headers: list[str]
    delimiter: str
    encoding: str
    newline: str
    date_style: str
    village_style: str
    nik_style: str
    upper: bool
    rows: list[PovRow] = field(default_factory=list)
    note: str = ""


class PovertyBuilder:
    def __init__(self, ctx: Ctx, proposed: list[Person]) -> None:
        self.ctx = ctx
        self.rng = ctx.rng("poverty")
        self.proposed = proposed
        self.others: list[Person] = []  # residents who were not proposed (members draw on them)

    def _decile(self, poor: bool) -> int:
        return (POOR_DECILES if poor else OTHER_DECILES)(self.rng)

    def _family(self, head: Person, village: str, on: date) -> list[Person]:
        rng = self.rng
        factory = self.ctx.factory
        family: list[Person] = []
        head_age = (on - head.birth).days // 365
        if head_age >= 18 and rng.random() < 0.55:
            spouse_birth = head.birth + timedelta(days=rng.randint(-6 * 365, 6 * 365))
            spouse_birth = min(spouse_birth, on - timedelta(days=17 * 365))
            family.append(
                factory.make(
                    village, spouse_birth, sex="P" if head.sex == "L" else "L", worker=False
                )
            )
        if head_age >= 20:
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                young = max(1, head_age - 40) * 365
                old = max(young + 30, (head_age - 18) * 365)
                born = on - timedelta(days=rng.randint(young, old))
                family.append(factory.make(village, born, worker=False))
        if rng.random() < 0.08:
            family.append(factory.resident(village, on, 60, 85))
        return family

    def households(self, regency: str) -> list[Household]:
        rng = self.rng
        factory = self.ctx.factory
        on = self.ctx.days[0]
        villages = [v.code for v in self.ctx.region.by_regency[regency]]
        proposed = [p for p in self.proposed if p.village[:4] == regency]
        result: list[Household] = []
        others = 0
        for person in proposed:
            if rng.random() >= 0.75:
                continue
            family = self._family(person, person.village, on)
            others += len(family)
            self.others.extend(family)
            kk = factory.kk(person.village[:6])
            result.append(Household(kk, person.village, self._decile(True), [person, *family]))
        target = 3 * len(proposed)
        while others < target:
            village = rng.choice(villages)
            head = factory.resident(village, on, 20, 75)
            members = [head, *self._family(head, village, on)]
            others += len(members)
            self.others.extend(members)
            result.append(Household(factory.kk(village[:6]), village, self._decile(False), members))
        result.sort(key=lambda h: (h.village, h.kk))
        return result

    def _new_file(self, day: int, name: str) -> PovFile:
        rng = self.rng
        canonical = rng.random() < 0.3  # exactly the agency's lower-case headers
        headers = [
            " ".join(HEADERS[c][0]) if canonical else header_label(rng.choice(HEADERS[c]), rng)
            for c in COLUMNS
        ]
        return PovFile(
            day=day,
            name=self.ctx.unique_name(SOURCE, name, f"d{day}"),
            headers=headers,
            delimiter=rng.choice((",", ";")),
            encoding=rng.choices(("utf-8", "utf-8-sig", "cp1252"), (50, 25, 25))[0],
            newline=rng.choice(("\r\n", "\n")),
            date_style=rng.choice(("iso", "dmy_dash", "dmy_slash", "long")),
            village_style="dotted" if rng.random() < 0.35 else "plain",
            nik_style="apostrophe" if rng.random() < 0.25 else "plain",
            upper=rng.random() < 0.6,
        )

    def _rows(self, f: PovFile, households: list[Household]) -> None:
        rng = self.rng
        for h in households:
            for person in h.members:
                row = PovRow(
                    person=person,
                    kk=h.kk,
                    village_code=h.village,
                    decile=str(h.decile),
                    birth=person.birth,
                    nik_text=type_nik(person.nik, f.nik_style),
                    name=person.name.upper() if f.upper else person.name,
                )
                f.rows.append(row)
                variant = RANDOM_DEFECTS.pick(rng)
                if variant:
                    self.apply(row, variant)
                if rng.random() < 0.0008:
                    f.rows.append(self._copy(row))

    def _copy(self, row: PovRow) -> PovRow:
        """The extract repeats a row: duplicate_in_file when the first one loads.

        A repeated defective row keeps its defect, so it is rejected for the same reason.
        """
        return PovRow(
            row.person,
            row.kk,
            row.village_code,
            row.decile,
            row.birth,
            row.nik_text,
            row.name,
            row.variant or "duplicate",
        )

    def apply(self, row: PovRow, variant: str) -> None:
        rng = self.rng
        if variant == "missing_name":
            row.name = ""
        elif variant == "missing_nik":
            row.nik_text = ""
        elif variant == "missing_village":
            row.village_code = ""
        elif variant == "missing_decile":
            row.decile = ""
        elif variant in INVALID_NIK_VARIANTS:
            row.nik_text = bad_nik(row.person.nik, variant, rng)
        elif variant == "village_unknown":
            row.village_code = f"{row.village_code[:6]}9{rng.randint(0, 999):03d}"
        elif variant == "decile_0":
            row.decile = "0"
        elif variant == "decile_11":
            row.decile = "11"
        elif variant == "decile_x":
            row.decile = rng.choice(("x", "tidak miskin"))
        elif variant == "birth_bad":
            row.birth = rng.choice(("00-00-0000", "31/02/1985", "1985-00-00"))
        else:
            raise ValueError(variant)
        row.variant = variant

    def _force(self, f: PovFile) -> None:
        present = {r.variant for r in f.rows}
        clean = [i for i, r in enumerate(f.rows) if r.variant is None]
        picks = self.rng.sample(clean, len(MANDATORY) + 1)
        for variant, i in zip(MANDATORY, picks, strict=False):
            if variant not in present:
                self.apply(f.rows[i], variant)
        if "duplicate" not in present:
            i = picks[-1]
            f.rows.insert(i + 1, self._copy(f.rows[i]))

    def render(self, f: PovFile) -> tuple[bytes, list[TruthRow]]:
        loaded: dict[str, None] = {}
        out: list[list[object]] = []
        truth: list[TruthRow] = []
        day_iso = self.ctx.days[f.day].isoformat()
        for row_number, row in enumerate(f.rows, start=2):
            birth = row.birth
            cells = [
                row.nik_text or None,
                type_nik(row.kk, f.nik_style),
                row.name or None,
                birth if not isinstance(birth, date) else fmt_date(birth, f.date_style),
                village_text(row.village_code, f.village_style) or None,
                row.decile or None,
            ]
            out.append(cells)
            reason = row.reason
            if reason is None:
                if row.person.nik in loaded:
                    reason = "duplicate_in_file"
                else:
                    loaded[row.person.nik] = None
            flags = ""
            if reason is None:
                assert row.nik_text == row.person.nik or clean_id(row.nik_text) == row.person.nik
                assert nik_is_valid(row.person.nik)
                assert self.ctx.region.known(row.village_code) and row.name
                assert row.decile.isdigit() and 1 <= int(row.decile) <= 10
                flags = nik_flags(row.person.nik, birth if isinstance(birth, date) else None, None)
            truth.append(
                (
                    day_iso,
                    f.name,
                    row_number,
                    row.person.nik,
                    row.village_code,
                    row.decile,
                    reason or "",
                    flags,
                    row.nik_text,
                    row.variant or "",
                )
            )
        data = csv_bytes(
            f.headers, out, delimiter=f.delimiter, encoding=f.encoding, newline=f.newline
        )
        return data, truth

    def _update(self, households: list[Household], regency: str) -> list[Household]:
        """The agency's next extract: some families re-ranked, a few moved, some added."""
        rng = self.rng
        factory = self.ctx.factory
        villages = [v.code for v in self.ctx.region.by_regency[regency]]
        on = self.ctx.days[0]
        updated: list[Household] = []
        crossed = 0
        for h in households:
            if rng.random() < 0.01:
                continue  # left the register
            new = Household(h.kk, h.village, h.decile, list(h.members))
            if crossed < 4 and h.decile in (5, 6):
                new.decile = 11 - h.decile  # crosses the poor_max_decile line both ways
                crossed += 1
            elif rng.random() < 0.05:
                new.decile = min(10, max(1, h.decile + rng.choice((-3, -2, -1, 1, 2, 3))))
            if rng.random() < 0.015:
                new.village = rng.choice(villages)
            updated.append(new)
        for _ in range(max(2, len(households) // 50)):
            village = rng.choice(villages)
            head = factory.resident(village, on, 20, 70)
            members = [head, *self._family(head, village, on)]
            self.others.extend(members)
            updated.append(Household(factory.kk(village[:6]), village, self._decile(True), members))
        updated.sort(key=lambda h: (h.village, h.kk))
        return updated

    def build(self) -> list[TruthRow]:
        ctx = self.ctx
        truth: list[TruthRow] = []
        register: dict[str, list[Household]] = {}
        month = ctx.days[0].strftime("%Y-%m")
        for i, regency in enumerate(ctx.regencies):
            households = self.households(regency)
            register[regency] = households
            short = safe_name(ctx.region.regency_names[regency].replace("Kabupaten ", ""))
            f = self._new_file(0, f"DTSEN_{regency}_{short.replace(' ', '_')}_{month}.csv")
            self._rows(f, households)
            if i == 0:
                self._force(f)
            data, rows = self.render(f)
            ctx.files.append(LandingFile(0, SOURCE, f.name, data))
            truth.extend(rows)
        if len(ctx.days) >= 2:
            day = min(2, len(ctx.days) - 1)
            regency = random.Random(f"{ctx.seed}:poverty-update").choice(list(ctx.regencies))
            f = self._new_file(day, f"DTSEN_{regency}_pemutakhiran_{ctx.days[day]:%Y%m%d}.csv")
            self._rows(f, self._update(register[regency], regency))
            data, rows = self.render(f)
            note = f"updated extract for {regency}: deciles and villages changed for a few families"
            ctx.files.append(LandingFile(day, SOURCE, f.name, data, note=note))
            truth.extend(rows)
        return truth
