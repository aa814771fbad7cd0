"""member_exports/: BPJS Ketenagakerjaan's full membership export, once per delivery day.

Accounts (KPJs) have a state per delivery day. Some proposed workers were members before
the drive (paid up, behind, lapsed or left), most members were never proposed, and the
drive enrols proposed workers day by day with the village paying (APBDES).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from cakupan_dev.generate.cells import clean_id, fmt_date, nik_flags, nik_is_valid, type_nik
from cakupan_dev.generate.model import Ctx, LandingFile, TruthRow
from cakupan_dev.generate.people import Person, Weighted, age_on
from cakupan_dev.generate.submissions import Proposal
from cakupan_dev.generate.writers import csv_bytes

SOURCE = "member_exports"
HEADER = (
    "No KPJ",
    "NIK",
    "Nama",
    "Segmen",
    "Status Kepesertaan",
    "Bulan Iuran Terakhir",
    "TMT",
    "Tanggal Ekspor",
    "Kode Desa",
    "Sumber Iuran",
    "Kantor Cabang",
)
BRANCHES = {"1612": "PRABUMULIH", "1603": "MUARA ENIM", "1606": "SEKAYU"}

TRUTH_COLUMNS = (
    "delivery_date",
    "file_name",
    "row_number",
    "kpj",
    "nik",
    "segment",
    "status",
    "paid_through",
    "exported_on",
    "village_code",
    "expected_reason",
    "expected_flags",
    "payer",
    "nik_as_written",
    "kpj_as_written",
    "variant",
)
VARIANTS: dict[str, str | None] = {
    "missing_kpj": "missing_required",
    "missing_name": "missing_required",
    "missing_nik": "missing_required",
    "missing_status": "missing_required",
    "missing_paid": "missing_required",
    "nik_placeholder": "invalid_nik",
    "nik_short": "invalid_nik",
    "kpj_short": "invalid_kpj",
    "kpj_long": "invalid_kpj",
    "paid_bad": "invalid_date",
    "exported_bad": "invalid_date",
    "segment_bad": "invalid_value",
    "status_bad": "invalid_value",
    "tmt_bad": None,  # enrolled_on is optional and unused by §4: kept empty
    "duplicate": None,
}
ENROL_LAG = Weighted((0, 1, 2, 3), (30, 35, 20, 15))  # days from proposal to enrolment
SEGMENT = Weighted(("BPU", "PU", "JAKON", "PMI"), (65, 25, 5, 5))
PAYER = Weighted(("MANDIRI", "APBD", "APBDES"), (80, 15, 5))
STATUS = Weighted(("AKTIF", "NONAKTIF", "KELUAR"), (60, 25, 15))
PAID_OFFSET = Weighted(range(-5, 4), (3, 4, 6, 8, 12, 20, 20, 15, 12))  # months from the first day
RANDOM_SHARE = 0.002  # of rows per export carrying one of the defects above
MANDATORY = tuple(v for v in VARIANTS if v != "duplicate")


def month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


@lru_cache(maxsize=4096)
def month_text(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def month_end(index: int) -> date:
    year, month = divmod(index + 1, 12)
    return date(year, month + 1, 1) - timedelta(days=1)


@dataclass(slots=True)
class State:
    day: int
    status: str
    paid: int  # month index of the last month paid
    payer: str


@dataclass
class Account:
    kpj: str
    person: Person
    segment: str
    enrolled_on: date
    village_code: str
    first_day: int
    states: list[State] = field(default_factory=list)

    def state(self, day: int) -> State:
        if len(self.states) == 1:
            return self.states[0]
        current = self.states[0]
        for s in self.states:
            if s.day <= day:
                current = s
        return current


@dataclass(slots=True)
class MemRow:
    account: Account
    state: State
    kpj_text: str
    nik_text: str
    name: str
    segment: str
    status: str
    paid: str
    paid_month: str  # YYYY-MM the cell means, "" when unparseable or empty
    tmt: str
    exported: str
    variant: str | None = None

    @property
    def reason(self) -> str | None:
        return VARIANTS[self.variant] if self.variant else None


class MemberBuilder:
    def __init__(
        self, ctx: Ctx, persons: list[Person], proposals: list[Proposal], residents: list[Person]
    ) -> None:
        self.ctx = ctx
        self.rng = ctx.rng("members")
        self.persons = persons
        self.residents = residents
        self.first_proposal: dict[str, Proposal] = {}
        for p in sorted(proposals, key=lambda p: (p.day, p.submitted_on)):
            self.first_proposal.setdefault(p.person.nik, p)
        self.accounts: list[Account] = []
        self.m0 = month_index(ctx.days[0])
        self.n_days = len(ctx.days)

    def _open(
        self,
        person: Person,
        segment: str,
        enrolled: date,
        first_day: int,
        status: str,
        paid: int,
        payer: str,
        village: str = "",
    ) -> Account:
        account = Account(
            self.ctx.factory.kpj(),
            person,
            segment,
            enrolled,
            village,
            first_day,
            [State(first_day, status, paid, payer)],
        )
        self.accounts.append(account)
        return account

    def _past(self, years: int = 6) -> date:
        return self.ctx.days[0] - timedelta(days=self.rng.randint(60, years * 365))

    def _enrol_day(self, day: int) -> int | None:
        d = day + ENROL_LAG(self.rng)
        return d if d < self.n_days else None

    def _paid_on(self, day: int) -> int:
        return month_index(self.ctx.days[day]) + self.rng.choice((0, 1))

    def _village(self, person: Person, share: float) -> str:
        return person.village if person.village and self.rng.random() < share else ""

    def proposed_members(self) -> None:
        """Members among the proposed, before the drive, and the drive's enrolments."""
        rng = self.rng
        on = self.ctx.days[0]
        for person in self.persons:
            prop = self.first_proposal.get(person.nik)
            enrol = self._enrol_day(prop.day) if prop and prop.eligible else None
            adult = age_on(person.birth, on) >= 18
            roll = rng.random() if adult else 1.0
            if roll < 0.07:
                self._open(
                    person,
                    "BPU",
                    self._past(),
                    0,
                    "AKTIF",
                    self.m0 + rng.randint(0, 2),
                    "MANDIRI",
                    self._village(person, 0.15),
                )
                continue
            if roll < 0.13:
                account = self._open(
                    person,
                    "BPU",
                    self._past(),
                    0,
                    "AKTIF",
                    self.m0 - rng.randint(1, 5),
                    "MANDIRI",
                    self._village(person, 0.15),
                )
                if enrol is not None and rng.random() < 0.5:
                    account.states.append(State(enrol, "AKTIF", self._paid_on(enrol), "APBDES"))
                continue
            if roll < 0.16:
                account = self._open(
                    person,
                    "BPU",
                    self._past(),
                    0,
                    "NONAKTIF",
                    self.m0 - rng.randint(8, 24),
                    "MANDIRI",
                )
                if enrol is not None and rng.random() < 0.5:
                    account.states.append(State(enrol, "AKTIF", self._paid_on(enrol), "APBDES"))
                continue
            if roll < 0.19:
                self._open(
                    person,
                    rng.choice(("PU", "BPU")),
                    self._past(10),
                    0,
                    "KELUAR",
                    self.m0 - rng.randint(6, 60),
                    "MANDIRI",
                )
                if enrol is not None and rng.random() < 0.6:
                    self._enrol(person, prop, enrol)
                continue
            if enrol is not None and rng.random() < 0.55:
                self._enrol(person, prop, enrol)

    def _enrol(self, person: Person, prop: Proposal | None, day: int) -> None:
        village = prop.village if prop and self.rng.random() < 0.6 else ""
        self._open(
            person, "BPU", self.ctx.days[day], day, "AKTIF", self._paid_on(day), "APBDES", village
        )

    def other_members(self) -> None:
        """BPU, PU, JAKON and PMI members who were never proposed."""
        rng = self.rng
        ctx = self.ctx
        count = round(0.8 * len(self.persons))
        adults = [p for p in self.residents if 18 <= age_on(p.birth, ctx.days[0]) < 65]
        chosen_villages = [v.code for r in ctx.regencies for v in ctx.region.by_regency[r]]
        elsewhere = [c for c in ctx.region.villages if c[:4] not in ctx.regencies]
        for i in range(count):
            if adults and rng.random() < 0.5:
                person = adults[rng.randrange(len(adults))]
            else:
                roll = rng.random()
                village = (
                    rng.choice(chosen_villages)
                    if roll < 0.6
                    else (rng.choice(elsewhere) if roll < 0.85 and elsewhere else "")
                )
                birth = ctx.factory.worker_birth(ctx.days[0])
                person = ctx.factory.make(village, birth, worker=False)
            segment = SEGMENT(rng)
            payer = {"PU": "PEMBERI KERJA", "JAKON": "PEMBERI KERJA"}.get(segment, PAYER(rng))
            share = 0.4 if payer == "APBD" else 0.15
            status = STATUS(rng)
            behind = PAID_OFFSET(rng) if status == "AKTIF" else -rng.randint(4, 40)
            paid = self.m0 + behind
            if rng.random() < 0.03:  # an old card from a former job, then a new one
                self._open(
                    person,
                    "PU",
                    self._past(12),
                    0,
                    "KELUAR",
                    self.m0 - rng.randint(12, 60),
                    "PEMBERI KERJA",
                )
                status, paid = "AKTIF", self.m0 + rng.randint(0, 1)
            first_day = 0
            enrolled = self._past(8)
            if i % 250 == 249 and self.n_days > 1:  # a few join during the drive on their own
                first_day = rng.randrange(1, self.n_days)
                enrolled, status, paid = ctx.days[first_day], "AKTIF", self._paid_on(first_day)
            account = self._open(
                person,
                segment,
                enrolled,
                first_day,
                status,
                paid,
                payer,
                self._village(person, share),
            )
            if status == "AKTIF" and self.n_days > 1 and rng.random() < 0.08:
                day = rng.randrange(max(1, first_day), self.n_days)
                account.states.append(State(day, "AKTIF", paid + rng.randint(1, 3), payer))

    # -- export files -----------------------------------------------------------------------
    def _row(self, account: Account, day: int, style: dict[str, object]) -> MemRow:
        state = account.state(day)
        date_style = str(style["date_style"])
        if self.rng.random() < 0.05:
            paid = fmt_date(month_end(state.paid), date_style)
        else:
            paid = month_text(state.paid)
        id_style = str(style["id_style"])
        return MemRow(
            account=account,
            state=state,
            kpj_text=type_nik(account.kpj, id_style) if id_style == "apostrophe" else account.kpj,
            nik_text=type_nik(account.person.nik, id_style),
            name=account.person.name.upper(),
            segment=account.segment,
            status=state.status,
            paid=paid,
            paid_month=month_text(state.paid),
            tmt=fmt_date(account.enrolled_on, date_style),
            exported=str(style["exported"]),
        )

    def apply(self, row: MemRow, variant: str, has_exported: bool) -> bool:
        rng = self.rng
        if variant == "exported_bad" and not has_exported:
            return False
        if variant == "missing_kpj":
            row.kpj_text = ""
        elif variant == "missing_name":
            row.name = ""
        elif variant == "missing_nik":
            row.nik_text = ""
        elif variant == "missing_status":
            row.status = ""
        elif variant == "missing_paid":
            row.paid, row.paid_month = "", ""
        elif variant == "nik_placeholder":
            row.nik_text = row.account.person.nik[:4] + "000000000000"
        elif variant == "nik_short":
            row.nik_text = row.account.person.nik[:15]
        elif variant == "kpj_short":
            row.kpj_text = row.account.kpj[:10]
        elif variant == "kpj_long":
            row.kpj_text = row.account.kpj + str(rng.randint(0, 9))
        elif variant == "paid_bad":
            row.paid, row.paid_month = rng.choice(("2025-13", "00/00/0000", "2025-00")), ""
        elif variant == "exported_bad":
            row.exported = "32/05/2025"
        elif variant == "segment_bad":
            row.segment = rng.choice(("ABC", "BPU-X", "MANDIRI"))
        elif variant == "status_bad":
            row.status = rng.choice(("AKTIV", "AKTIF SEMENTARA", "DIBLOKIR"))
        elif variant == "tmt_bad":
            row.tmt = "00/00/0000"
        else:
            raise ValueError(variant)
        row.variant = variant
        return True

    def export(self, day: int) -> tuple[LandingFile, list[TruthRow]]:
        rng = self.rng
        ctx = self.ctx
        style: dict[str, object] = {
            "date_style": rng.choice(("dmy_slash", "iso", "dmy_slash")),
            "id_style": "apostrophe" if rng.random() < 0.25 else "plain",
            "has_exported": day == 0 or rng.random() < 0.7,
        }
        has_exported = bool(style["has_exported"])
        exported = fmt_date(ctx.days[day], str(style["date_style"])) if has_exported else ""
        style["exported"] = exported
        accounts = [a for a in self.accounts if a.first_day <= day]
        rows: list[MemRow] = []
        variants = list(VARIANTS)
        for account in accounts:
            row = self._row(account, day, style)
            rows.append(row)
            if rng.random() < RANDOM_SHARE:
                self.apply(row, rng.choice(variants[:-1]), has_exported)
            if rng.random() < 0.001:
                rows.append(self._copy(row, day, style))
        if day == 0:
            clean = [i for i, r in enumerate(rows) if r.variant is None]
            picks = rng.sample(clean, len(MANDATORY) + 1)
            for variant, i in zip(MANDATORY, picks, strict=False):
                self.apply(rows[i], variant, has_exported)
            rows.insert(picks[-1] + 1, self._copy(rows[picks[-1]], day, style))
        delivery = ctx.days[day]
        name = f"export_kepesertaan_bpjstk_{delivery:%Y%m%d}.csv"
        header = HEADER if has_exported else tuple(h for h in HEADER if h != "Tanggal Ekspor")
        loaded: dict[str, None] = {}
        out: list[list[object]] = []
        truth: list[TruthRow] = []
        day_iso = delivery.isoformat()
        for row_number, row in enumerate(rows, start=2):
            a = row.account
            cells = [
                row.kpj_text,
                row.nik_text,
                row.name,
                row.segment,
                row.status,
                row.paid,
                row.tmt,
                row.exported,
                a.village_code,
                row.state.payer,
                BRANCHES.get(a.person.village[:4], "PALEMBANG"),
            ]
            if not has_exported:
                del cells[7]
            out.append([c or None for c in cells])
            reason = row.reason
            if reason is None:
                if a.kpj in loaded:
                    reason = "duplicate_in_file"
                else:
                    loaded[a.kpj] = None
            flags = ""
            if reason is None:
                assert row.kpj_text == a.kpj or clean_id(row.kpj_text) == a.kpj
                assert row.nik_text == a.person.nik or clean_id(row.nik_text) == a.person.nik
                assert nik_is_valid(a.person.nik)
                flags = nik_flags(a.person.nik, None, None)
            truth.append(
                (
                    day_iso,
                    name,
                    row_number,
                    a.kpj,
                    a.person.nik,
                    row.segment,
                    row.status,
                    row.paid_month,
                    "" if row.variant == "exported_bad" else day_iso,
                    a.village_code,
                    reason or "",
                    flags,
                    row.state.payer,
                    row.nik_text,
                    row.kpj_text,
                    row.variant or "",
                )
            )
        encoding = "utf-8-sig" if rng.random() < 0.3 else "utf-8"
        data = csv_bytes(header, out, delimiter=";", encoding=encoding, newline="\r\n")
        return LandingFile(day, SOURCE, name, data), truth

    def _copy(self, row: MemRow, day: int, style: dict[str, object]) -> MemRow:
        """The same KPJ listed twice (an export glitch): duplicate_in_file if the first loads."""
        copy = self._row(row.account, day, style)
        if row.variant is not None:
            copy = MemRow(**{s: getattr(row, s) for s in MemRow.__slots__})
        else:
            copy.variant = "duplicate"
        return copy

    def build(self) -> list[TruthRow]:
        self.proposed_members()
        self.other_members()
        truth: list[dict[str, str]] = []
        self.accounts.sort(key=lambda a: a.kpj)  # the export lists KPJs in order
        for day in range(self.n_days):
            landing, rows = self.export(day)
            self.ctx.files.append(landing)
            truth.extend(rows)
        return truth
