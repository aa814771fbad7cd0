"""The reference villages the generator draws from (the project's copy of desa.csv)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cakupan.paths import REFERENCE_DIR


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    type: str  # desa | kelurahan
    district_code: str
    district_name: str
    regency_code: str
    regency_name: str


@dataclass
class Region:
    """All villages of the province, indexed the ways the generator needs them."""

    villages: dict[str, Village]
    by_regency: dict[str, list[Village]] = field(default_factory=dict)
    by_district: dict[str, list[Village]] = field(default_factory=dict)
    regency_names: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for v in self.villages.values():
            self.by_regency.setdefault(v.regency_code, []).append(v)
            self.by_district.setdefault(v.district_code, []).append(v)
            self.regency_names[v.regency_code] = v.regency_name

    @property
    def district_codes(self) -> list[str]:
        return sorted(self.by_district)

    def known(self, code: str) -> bool:
        return code in self.villages

    def check_regencies(self, regencies: Sequence[str]) -> None:
        unknown = [r for r in regencies if r not in self.by_regency]
        if unknown:
            raise ValueError(f"regencies not in the reference list: {', '.join(unknown)}")


def load_region(reference_dir: Path = REFERENCE_DIR) -> Region:
    """Read desa.csv; rows keep the file's order so draws are reproducible."""
    villages: dict[str, Village] = {}
    with (reference_dir / "desa.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            villages[row["code"]] = Village(
                code=row["code"],
                name=row["name"],
                type=row["type"],
                district_code=row["parent_code"],
                district_name=row["kecamatan_name"],
                regency_code=row["kabupaten_code"],
                regency_name=row["kabupaten_name"],
            )
    return Region(villages)
