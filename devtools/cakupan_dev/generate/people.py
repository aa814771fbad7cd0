"""People of the scenario: Indonesian names, NIKs that follow Dukcapil's layout, KK and KPJ.

A NIK is district code (6) + DDMMYY of birth (+40 on the day for women) + serial (4).
Every person gets a unique NIK; the generator's truth is built from these objects.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import Generic, TypeVar

from cakupan_dev.generate.region import Region

T = TypeVar("T")


class Weighted(Generic[T]):
    """``rng.choices(items, weights)[0]`` without rebuilding the table on every draw."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = tuple(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> T:
        return self.items[bisect(self.cum, rng.random() * self.total)]


MALE_GIVEN = (
    "Muhammad",
    "Ahmad",
    "Agus",
    "Budi",
    "Rudi",
    "Andi",
    "Dedi",
    "Hendra",
    "Joko",
    "Bambang",
    "Heri",
    "Eko",
    "Dwi",
    "Tri",
    "Iwan",
    "Yusuf",
    "Rizki",
    "Fajar",
    "Irfan",
    "Arif",
    "Hasan",
    "Husin",
    "Ismail",
    "Ibrahim",
    "Salim",
    "Syahrial",
    "Zulkifli",
    "Darmawan",
    "Sukri",
    "Samsul",
    "Safrudin",
    "Abdul",
    "Rahmat",
    "Hidayat",
    "Firman",
    "Gilang",
    "Bayu",
    "Dimas",
    "Rian",
    "Aditya",
    "Wahyu",
    "Taufik",
    "Hamdan",
    "Junaidi",
    "Marzuki",
    "Nasrul",
    "Rusdi",
    "Sapri",
    "Syaiful",
    "Usman",
    "Yanto",
    "Zainal",
    "Anwar",
    "Effendi",
    "Herman",
    "Jamal",
    "Kohar",
    "Mansur",
    "Nurdin",
    "Paisal",
    "Romli",
    "Sahrul",
    "Tarmizi",
    "Asep",
    "Sutrisno",
    "Slamet",
    "Paijo",
    "Suparman",
    "Sudirman",
    "Ridwan",
    "Rahman",
    "Faisal",
    "Amir",
    "Kurniawan",
    "Ilham",
    "Reza",
    "Ferdi",
    "Robi",
    "Doni",
    "Fikri",
    "Hasanudin",
    "Burhan",
    "Mukhlis",
    "Jumadi",
    "Apriadi",
    "Edi",
    "Nopri",
    "Yudi",
)
FEMALE_GIVEN = (
    "Siti",
    "Sri",
    "Dewi",
    "Nur",
    "Rina",
    "Yuni",
    "Lestari",
    "Wati",
    "Ani",
    "Eka",
    "Fitri",
    "Ratna",
    "Indah",
    "Ayu",
    "Putri",
    "Rini",
    "Yanti",
    "Maya",
    "Nurhayati",
    "Aminah",
    "Aisyah",
    "Fatimah",
    "Khadijah",
    "Zubaidah",
    "Halimah",
    "Rohani",
    "Maimunah",
    "Masitoh",
    "Nurjanah",
    "Sumiati",
    "Suryani",
    "Susanti",
    "Herlina",
    "Juwita",
    "Kartini",
    "Mariana",
    "Nopita",
    "Rosmala",
    "Sartini",
    "Winda",
    "Yulia",
    "Zahra",
    "Anisa",
    "Dina",
    "Febri",
    "Intan",
    "Lia",
    "Mega",
    "Novi",
    "Oktavia",
    "Puji",
    "Rahma",
    "Santi",
    "Tuti",
    "Umi",
    "Vera",
    "Wulan",
    "Yeni",
    "Asmah",
    "Badriah",
    "Cik",
    "Darmi",
    "Elis",
    "Heni",
    "Irma",
    "Jamilah",
    "Komariah",
    "Leni",
    "Marlina",
    "Nining",
    "Omah",
    "Rusmini",
    "Salamah",
    "Tini",
    "Uswatun",
    "Yati",
    "Erna",
    "Desi",
    "Mira",
    "Rita",
    "Sinta",
)
MALE_FAMILY = (
    "Salim",
    "Saputra",
    "Pratama",
    "Hidayat",
    "Setiawan",
    "Kurniawan",
    "Wijaya",
    "Nugroho",
    "Santoso",
    "Firmansyah",
    "Hakim",
    "Syahputra",
    "Gunawan",
    "Ramadhan",
    "Fauzi",
    "Hasan",
    "Rahman",
    "Ibrahim",
    "Ismail",
    "Saleh",
    "Effendi",
    "Hartono",
    "Susilo",
    "Irawan",
    "Hermawan",
    "Purnomo",
    "Sulaiman",
    "Yusuf",
    "Rizki",
    "Maulana",
    "Hamzah",
    "Syahrizal",
    "Alamsyah",
    "Nasution",
    "Kusuma",
    "Prasetyo",
    "Wibowo",
    "Darmawan",
    "Sanjaya",
    "Permana",
    "Putra",
    "Anwar",
    "Hadi",
    "Rosyadi",
    "Siregar",
    "Lubis",
)
FEMALE_FAMILY = (
    "Aminah",
    "Wahyuni",
    "Lestari",
    "Rahayu",
    "Handayani",
    "Susanti",
    "Fitriani",
    "Sari",
    "Wulandari",
    "Puspita",
    "Anggraini",
    "Oktaviani",
    "Ramadhani",
    "Safitri",
    "Novita",
    "Yulianti",
    "Purnamasari",
    "Kartika",
    "Maharani",
    "Permata",
    "Hasanah",
    "Rohmah",
    "Nurhasanah",
    "Marlina",
    "Sapitri",
    "Agustina",
    "Yuliana",
    "Febriani",
    "Rosita",
    "Mulyani",
    "Sulastri",
    "Rahmawati",
    "Indriani",
    "Andriani",
    "Damayanti",
    "Kusumawati",
    "Setiawati",
    "Herawati",
    "Suryani",
    "Utami",
)
# Names a keyboard in a village office still produces; they make Windows-1252 files non-ASCII.
ACCENTED_MALE = ("René", "Andrés", "José", "Noël")
ACCENTED_FEMALE = ("Désy", "Inés", "Renée", "Nuñik")

_OCCUPATIONS_MALE = (
    ("petani", 26),
    ("pekebun karet", 14),
    ("nelayan", 6),
    ("buruh bangunan", 12),
    ("sopir", 7),
    ("ojek", 10),
    ("pedagang", 8),
    ("buruh tani", 9),
    ("tukang kayu", 4),
    ("peternak", 4),
)
_OCCUPATIONS_FEMALE = (
    ("petani", 22),
    ("pekebun karet", 10),
    ("pedagang", 24),
    ("buruh tani", 12),
    ("penjahit", 6),
    ("pedagang kaki lima", 10),
    ("buruh cuci", 8),
    ("pengrajin", 4),
    ("nelayan", 2),
)
OCCUPATIONS_MALE = Weighted([o for o, _ in _OCCUPATIONS_MALE], [w for _, w in _OCCUPATIONS_MALE])
OCCUPATIONS_FEMALE = Weighted(
    [o for o, _ in _OCCUPATIONS_FEMALE], [w for _, w in _OCCUPATIONS_FEMALE]
)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII")
STREET_WORDS = ("Masjid", "Lintas Timur", "Pasar", "Sekolah", "Kebun", "Sungai", "Pelita")
PHONE_PREFIXES = ("811", "812", "813", "821", "822", "852", "853", "877", "878", "895", "896")

# District codes outside Sumatera Selatan a migrant's NIK may carry.
OUTSIDE_DISTRICTS = ("187101", "187105", "157101", "177101", "317101", "327301", "120101")


def nik_for(district: str, birth: date, sex: str, serial: int) -> str:
    """Dukcapil layout: women's day + 40."""
    day = birth.day + (40 if sex == "P" else 0)
    return f"{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def age_on(birth: date, on: date) -> int:
    """Whole years completed on ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def years_before(on: date, years: int) -> date:
    """The same calendar day ``years`` earlier (28 Feb for 29 Feb)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


@dataclass(slots=True)
class Person:
    nik: str
    name: str
    sex: str  # L | P
    birth: date
    village: str  # home village code ("" when not in the reference list)
    occupation: str
    address: str
    phone: str


class PeopleFactory:
    """Makes people with unique NIKs; one instance per scenario keeps NIKs unique across sources."""

    def __init__(self, rng: random.Random, region: Region) -> None:
        self.rng = rng
        self.region = region
        self._niks: dict[str, None] = {}
        self._serials: dict[str, int] = {}
        self._kpjs: dict[str, None] = {}
        self._kks: dict[str, None] = {}
        self._districts = region.district_codes

    # -- identifiers -----------------------------------------------------------------------
    def _serial(self, key: str) -> int:
        nxt = self._serials.get(key)
        if nxt is None:
            nxt = self.rng.randint(1, 60)
        self._serials[key] = nxt + 1
        if nxt > 9999:
            raise RuntimeError(f"serials exhausted for {key}")
        return nxt

    def nik(self, district: str, birth: date, sex: str) -> str:
        prefix = nik_for(district, birth, sex, 0)[:12]
        while True:
            nik = f"{prefix}{self._serial(prefix):04d}"
            if nik not in self._niks:
                self._niks[nik] = None
                return nik

    def kk(self, district: str) -> str:
        """A family card number: district + issue date + serial, like a NIK."""
        while True:
            issued = date(2008, 1, 1) + timedelta(days=self.rng.randrange(6000))
            kk = f"{district}{issued.day:02d}{issued.month:02d}{issued.year % 100:02d}" + (
                f"{self.rng.randint(1, 9999):04d}"
            )
            if kk not in self._kks:
                self._kks[kk] = None
                return kk

    def kpj(self) -> str:
        while True:
            kpj = str(self.rng.randint(10**10, 10**11 - 1))
            if kpj not in self._kpjs:
                self._kpjs[kpj] = None
                return kpj

    # -- people ----------------------------------------------------------------------------
    def name(self, sex: str) -> str:
        rng = self.rng
        if rng.random() < 0.008:
            given = rng.choice(ACCENTED_FEMALE if sex == "P" else ACCENTED_MALE)
        else:
            given = rng.choice(FEMALE_GIVEN if sex == "P" else MALE_GIVEN)
        family = FEMALE_FAMILY if sex == "P" else MALE_FAMILY
        roll = rng.random()
        if roll < 0.12:
            return given
        if roll < 0.85:
            last = rng.choice(family)
            return given if last == given else f"{given} {last}"
        middle = rng.choice(FEMALE_GIVEN if sex == "P" else MALE_GIVEN)
        return f"{given} {middle} {rng.choice(family)}"

    def accented_name(self, sex: str) -> str:
        given = self.rng.choice(ACCENTED_FEMALE if sex == "P" else ACCENTED_MALE)
        return f"{given} {self.rng.choice(FEMALE_FAMILY if sex == 'P' else MALE_FAMILY)}"

    def occupation(self, sex: str) -> str:
        return (OCCUPATIONS_FEMALE if sex == "P" else OCCUPATIONS_MALE)(self.rng)

    def address(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.6:
            text = f"Dusun {rng.choice(ROMAN)} RT {rng.randint(1, 12):03d}"
            return text + (f" RW {rng.randint(1, 6):03d}" if rng.random() < 0.3 else "")
        if roll < 0.8:
            return f"Jl. {rng.choice(STREET_WORDS)} Km {rng.randint(1, 40)}"
        street, rt = rng.choice(STREET_WORDS), rng.randint(1, 9)
        return f"Lr. {street} RT {rt:02d}, Dusun {rng.choice(ROMAN)}"

    def phone(self) -> str:
        rng = self.rng
        digits = f"0{rng.choice(PHONE_PREFIXES)}{rng.randint(10**6, 10**8 - 1)}"
        roll = rng.random()
        if roll < 0.7:
            return digits
        if roll < 0.85:
            return f"{digits[:4]}-{digits[4:8]}-{digits[8:]}"
        return f"+62 {digits[1:]}"

    def district_for(self, village: str, home_share: float = 0.95) -> str:
        """Mostly the home district; some NIKs were issued elsewhere in or outside the province."""
        roll = self.rng.random()
        if village and roll < home_share:
            return village[:6]
        if roll < home_share + (1 - home_share) * 0.55:
            return self.rng.choice(self._districts)
        return self.rng.choice(OUTSIDE_DISTRICTS)

    def worker_birth(self, on: date) -> date:
        """Mostly 18-64 on ``on``; a small share under 15 or 65 and over (eligibility matters)."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.02:
            years = rng.uniform(12.0, 14.95)
        elif roll < 0.05:
            years = rng.uniform(65.05, 74.0)
        else:
            years = rng.triangular(18.0, 64.9, 36.0)
        return on - timedelta(days=int(years * 365.25))

    def make(
        self,
        village: str,
        birth: date,
        sex: str | None = None,
        district: str | None = None,
        accented: bool = False,
        worker: bool = True,
    ) -> Person:
        """A new person; only workers get the occupation, address and phone a list asks for."""
        rng = self.rng
        sex = sex or ("L" if rng.random() < 0.56 else "P")
        district = district or self.district_for(village)
        return Person(
            nik=self.nik(district, birth, sex),
            name=self.accented_name(sex) if accented else self.name(sex),
            sex=sex,
            birth=birth,
            village=village,
            occupation=self.occupation(sex) if worker else "",
            address=self.address() if worker else "",
            phone=self.phone() if worker else "",
        )

    def resident(self, village: str, on: date, min_age: int = 0, max_age: int = 85) -> Person:
        """Anyone living in a village (poverty registers list whole families)."""
        birth = on - timedelta(days=self.rng.randint(min_age * 365 + 1, max_age * 365))
        return self.make(village, birth, worker=False)
