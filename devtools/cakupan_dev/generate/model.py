"""Shared types of the generator: the run context and a delivered landing file."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from cakupan_dev.generate.people import PeopleFactory
from cakupan_dev.generate.region import Region

LOADED = "loaded"
SKIPPED = "skipped_duplicate"
REJECTED_FILE = "rejected_file"

# One truth row: values in the order of its source's TRUTH_COLUMNS (row_number an int).
TruthRow = tuple[object, ...]


@dataclass
class LandingFile:
    """One file as it arrives on a delivery day, with what the pipeline must make of it."""

    day: int  # index into Ctx.days
    source: str
    name: str
    data: bytes
    status: str = LOADED
    note: str = ""


@dataclass
class Ctx:
    """What every source builder needs; each builder draws from its own named random stream."""

    seed: int
    region: Region
    factory: PeopleFactory
    days: list[date]
    regencies: tuple[str, ...]
    scale: float
    files: list[LandingFile] = field(default_factory=list)
    used_names: dict[str, dict[str, None]] = field(default_factory=dict)

    def rng(self, name: str) -> random.Random:
        return random.Random(f"cakupan:{self.seed}:{name}")

    def stamp(self, day: int, minutes: int = 0) -> datetime:
        """Office hours on a delivery day: a fixed, reproducible file timestamp."""
        base = datetime.combine(self.days[day], time(8, 0))
        return base.replace(hour=8 + (minutes // 60) % 9, minute=minutes % 60)

    def unique_name(self, source: str, name: str, fallback: str) -> str:
        """File names never collide by accident: a re-used name means an overwrite."""
        used = self.used_names.setdefault(source, {})
        if name in used:
            stem, dot, ext = name.rpartition(".")
            name = f"{stem} {fallback}.{ext}" if dot else f"{name} {fallback}"
        used[name] = None
        return name


def safe_name(text: str) -> str:
    """Village names as they end up in file names: no dots, apostrophes or slashes."""
    text = re.sub(r"[^A-Za-z0-9 _()-]+", "", text)
    return re.sub(r"\s+", " ", text).strip()
