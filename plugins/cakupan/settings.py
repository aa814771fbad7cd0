"""Settings: the shipped YAML defaults, overridden key by key by a user's YAML file."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cakupan.paths import DEFAULT_SETTINGS_FILE


class SettingsError(ValueError):
    """A settings file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class RegencySettings:
    workforce_estimate: int | None = None
    workforce_target_pct: float | None = None
    submission_deadline: dt.date | None = None
    village_target: int | None = None


@dataclass(frozen=True)
class Settings:
    min_age: int = 15
    max_age: int = 65
    grace_months: int = 3
    poor_max_decile: int = 5
    kpj_digits: int = 11
    village_target: int = 100
    province_workforce_estimate: int | None = None
    province_workforce_target_pct: float | None = None
    regencies: dict[str, RegencySettings] = field(default_factory=dict)


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into ``base`` key by key; nested mappings are merged, not replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise SettingsError(f"settings file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise SettingsError(f"settings file {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise SettingsError(f"settings file {path} must hold a mapping of keys")
    return data


def _as_date(value: Any, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise SettingsError(f"{where}: expected a date YYYY-MM-DD, got {value!r}") from exc


def _as_int(value: Any, where: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{where}: expected a whole number, got {value!r}") from exc


def _as_float(value: Any, where: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{where}: expected a number, got {value!r}") from exc


def from_mapping(data: Mapping[str, Any]) -> Settings:
    """Build typed settings from a merged mapping, naming the key of any bad value."""
    regencies: dict[str, RegencySettings] = {}
    for code, entry in (data.get("regencies") or {}).items():
        entry = entry or {}
        where = f"regencies.{code}"
        regencies[str(code)] = RegencySettings(
            workforce_estimate=_as_int(entry.get("workforce_estimate"), where),
            workforce_target_pct=_as_float(entry.get("workforce_target_pct"), where),
            submission_deadline=_as_date(entry.get("submission_deadline"), where),
            village_target=_as_int(entry.get("village_target"), where),
        )
    province = data.get("province") or {}
    settings = Settings(
        min_age=_as_int(data.get("min_age"), "min_age"),
        max_age=_as_int(data.get("max_age"), "max_age"),
        grace_months=_as_int(data.get("grace_months"), "grace_months"),
        poor_max_decile=_as_int(data.get("poor_max_decile"), "poor_max_decile"),
        kpj_digits=_as_int(data.get("kpj_digits"), "kpj_digits"),
        village_target=_as_int(data.get("village_target"), "village_target"),
        province_workforce_estimate=_as_int(province.get("workforce_estimate"), "province"),
        province_workforce_target_pct=_as_float(province.get("workforce_target_pct"), "province"),
        regencies=regencies,
    )
    if settings.min_age is None or settings.max_age is None or settings.min_age >= settings.max_age:
        raise SettingsError("min_age and max_age must be set with min_age < max_age")
    return settings


def load_settings(override_file: str | os.PathLike[str] | None = None) -> Settings:
    """Shipped defaults merged with ``override_file`` (or ``$CAKUPAN_SETTINGS`` when None)."""
    data = _read_yaml(DEFAULT_SETTINGS_FILE)
    override_file = override_file or os.environ.get("CAKUPAN_SETTINGS") or None
    if override_file:
        data = deep_merge(data, _read_yaml(Path(override_file)))
    return from_mapping(data)
