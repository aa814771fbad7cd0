"""How people type cells: date styles, NIK typing, village codes, header spellings, defects.

Everything here produces only forms CONTRACT §2 accepts (or, for defects, forms §3 rejects
for exactly one reason), so the truth can say what the pipeline must do with each cell.
"""

from __future__ import annotations

import random
from datetime import date
from functools import lru_cache

from cakupan_dev.generate.writers import XCell

BULAN = (
    "",
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
# CLDR's Indonesian abbreviations; August is written in full because offices disagree
# between "Agu", "Agt" and "Ags".
BULAN_SINGKAT = (
    "",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Mei",
    "Jun",
    "Jul",
    "Agustus",
    "Sep",
    "Okt",
    "Nov",
    "Des",
)
TEXT_DATE_STYLES = ("iso", "dmy_slash", "dmy_dash", "long", "short")
EXCEL_DATE_FORMATS = ("DD/MM/YYYY", "d mmmm yyyy", "yyyy-mm-dd", "dd-mm-yyyy")


@lru_cache(maxsize=65536)
def fmt_date(d: date, style: str) -> str:
    """A date as text in one of the accepted forms."""
    if style == "iso":
        return d.isoformat()
    if style == "dmy_slash":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == "dmy_dash":
        return f"{d.day:02d}-{d.month:02d}-{d.year}"
    if style == "long":
        return f"{d.day} {BULAN[d.month]} {d.year}"
    if style == "short":
        return f"{d.day} {BULAN_SINGKAT[d.month]} {d.year}"
    raise ValueError(f"unknown date style {style}")


def date_cell(d: date, style: str, xlsx: bool) -> object:
    """Style ``excel:<fmt>`` is a real Excel date cell; the rest are text."""
    if style.startswith("excel:"):
        if not xlsx:
            raise ValueError("Excel date cells exist only in xlsx files")
        return XCell(d, style.split(":", 1)[1])
    return fmt_date(d, style)


def type_nik(nik: str, style: str) -> str:
    """An identifier as typed: spaces, dots, dashes or a leading apostrophe (all stripped)."""
    if style == "plain":
        return nik
    if style == "apostrophe":
        return "'" + nik
    if style == "spaces":
        return " ".join((nik[:4], nik[4:8], nik[8:12], nik[12:])) if len(nik) == 16 else nik
    if style == "dots":
        return ".".join((nik[:4], nik[4:8], nik[8:12], nik[12:])) if len(nik) == 16 else nik
    if style == "dashes":
        return "-".join((nik[:6], nik[6:12], nik[12:])) if len(nik) == 16 else nik
    if style == "padded":
        return f" {nik} "
    raise ValueError(f"unknown NIK style {style}")


NIK_TYPING = ("plain", "apostrophe", "spaces", "dots", "dashes", "padded")


def village_text(code: str, style: str) -> str:
    if style == "dotted" and len(code) == 10:
        return f"{code[:2]}.{code[2:4]}.{code[4:6]}.{code[6:]}"
    return code


def bad_nik(nik: str, variant: str, rng: random.Random) -> str:
    """A NIK §3 calls invalid_nik, for exactly the named reason."""
    if variant == "nik_short":
        return nik[:15]
    if variant == "nik_long":
        return nik + str(rng.randint(0, 9))
    if variant == "nik_letter":
        pos = rng.randint(6, 14)
        return nik[:pos] + rng.choice("OlIB") + nik[pos + 1 :]
    if variant == "nik_province":
        return rng.choice(("00", "99", "20", "10")) + nik[2:]
    if variant == "nik_day":
        return nik[:6] + rng.choice(("35", "00", "72", "38")) + nik[8:]
    if variant == "nik_month":
        return nik[:8] + rng.choice(("13", "00", "19")) + nik[10:]
    if variant == "nik_serial":
        return nik[:12] + "0000"
    if variant == "nik_scientific":
        # What Excel writes when a NIK column is saved to CSV as a number.
        return f"{int(nik):.5E}"
    raise ValueError(f"unknown invalid NIK variant {variant}")


INVALID_NIK_VARIANTS = (
    "nik_short",
    "nik_long",
    "nik_letter",
    "nik_province",
    "nik_day",
    "nik_month",
    "nik_serial",
)


def excel_number(nik: str) -> XCell:
    """A NIK typed into a General cell: Excel keeps 15 significant digits."""
    return XCell(float(int(nik[:15]) * 10), "0")


def header_label(words: tuple[str, ...], rng: random.Random) -> str:
    """One spelling of a header: case, separator and abbreviation dots vary."""
    if len(words) == 1 and "_" in words[0]:
        return words[0]  # canonical name, as in the province's template
    sep = rng.choice((" ", " ", " ", "_", "  "))
    out = []
    for w in words:
        if sep == " " and w in ("no", "tgl") and rng.random() < 0.5:
            w += "."
        out.append(w)
    text = sep.join(out)
    case = rng.random()
    if case < 0.4:
        text = text.title()
    elif case < 0.75:
        text = text.upper()
    elif case < 0.85:
        text = text.lower()
    if rng.random() < 0.08:
        text += " "
    return text


_ID_SEPARATORS = str.maketrans("", "", " .-")


def clean_id(text: str) -> str:
    """CONTRACT §2 identifier cleaning: spaces, dots, dashes and a leading apostrophe."""
    text = text.strip()
    if text.startswith("'"):
        text = text[1:]
    return text.translate(_ID_SEPARATORS)


PROVINCE_CODES = frozenset(
    [str(p) for p in range(11, 20)]
    + ["21"]
    + [str(p) for p in range(31, 37)]
    + ["51", "52", "53"]
    + [str(p) for p in range(61, 66)]
    + [str(p) for p in range(71, 77)]
    + ["81", "82"]
    + [str(p) for p in range(91, 97)]
)


@lru_cache(maxsize=1 << 20)
def nik_is_valid(nik: str) -> bool:
    """CONTRACT §3 invalid_nik, inverted: used to assert that clean rows really are clean."""
    if len(nik) != 16 or not nik.isdigit() or nik[:2] not in PROVINCE_CODES:
        return False
    day, month = int(nik[6:8]), int(nik[8:10])
    return (1 <= day <= 31 or 41 <= day <= 71) and 1 <= month <= 12 and nik[12:] != "0000"


@lru_cache(maxsize=1 << 20)
def nik_flags(nik: str, birth: date | None, sex: str | None) -> str:
    """CONTRACT §3 flags of a loaded row, ";"-joined in specs.FLAGS order.

    Birth date is compared with digits 7-12 after taking 40 off a day above 40, so a row
    whose sex disagrees with the NIK carries nik_sex_mismatch only.
    """
    flags = []
    day = int(nik[6:8])
    nik_sex = "P" if day > 40 else "L"
    day -= 40 if day > 40 else 0
    if birth is not None and (day, int(nik[8:10]), int(nik[10:12])) != (
        birth.day,
        birth.month,
        birth.year % 100,
    ):
        flags.append("nik_birth_date_mismatch")
    if sex and sex != nik_sex:
        flags.append("nik_sex_mismatch")
    if not nik.startswith("16"):
        flags.append("nik_outside_province")
    return ";".join(flags)


class DefectTable:
    """Per-row defect shares, drawn with one random number per row (rows are many)."""

    def __init__(self, shares: tuple[tuple[str, float], ...]) -> None:
        self.shares = shares
        self.total = sum(share for _, share in shares)

    def pick(self, rng: random.Random) -> str | None:
        roll = rng.random()
        if roll >= self.total:
            return None
        for variant, share in self.shares:
            if roll < share:
                return variant
            roll -= share
        return None
