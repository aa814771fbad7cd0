"""Settings: the shipped YAML defaults, overridden key by key by a user's YAML file.

The alert destinations can also come from the environment (CAKUPAN_ALERT_*, read with the
rest of the configuration by ``cakupan.config``), because a deployment keeps its secrets
there: a webhook URL carries a token, so YAML may not hold it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
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


ALERT_CHANNELS = ("none", "smtp", "webhook")
# Environment variables that override the ``alerts`` section (deploy secrets live there).
ALERT_ENV = {
    "channel": "CAKUPAN_ALERT_CHANNEL",
    "email_to": "CAKUPAN_ALERT_EMAIL_TO",
    "webhook_url": "CAKUPAN_ALERT_WEBHOOK_URL",
}


@dataclass(frozen=True)
class AlertSettings:
    """Where alerts go, and when the day's coverage snapshot must be ready (WIB)."""

    channel: str = "none"
    email_to: tuple[str, ...] = ()
    email_from: str | None = None
    smtp_conn_id: str = "smtp_default"
    # From CAKUPAN_ALERT_WEBHOOK_URL only; kept out of repr so it never reaches a log line.
    webhook_url: str | None = field(default=None, repr=False)
    webhook_timeout_s: float = 10.0
    snapshot_deadline: dt.time = dt.time(8, 0)


@dataclass(frozen=True)
class AuditSettings:
    """The GX audit of the published tables: thresholds of its warning-level checks."""

    # A file received on the snapshot date rejecting more than this share of its rows is a
    # warning in the report: worth a call to the village, no reason to withhold a snapshot.
    max_rejected_share: float = 0.5


@dataclass(frozen=True)
class LandingSettings:
    """The landing zone: how long a file must rest before it is read (still being copied)."""

    settle_seconds: int = 120


@dataclass(frozen=True)
class LinkageSettings:
    """Probable matches of mistyped NIKs (CONTRACT §5.1): the match probability from which
    a candidate counts towards ``workers_probably_covered``."""

    min_probability: float = 0.95


@dataclass(frozen=True)
class ForecastSettings:
    """``mart.coverage_forecast``: the days of snapshots the pace is fitted over."""

    window_days: int = 28


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
    alerts: AlertSettings = field(default_factory=AlertSettings)
    audit: AuditSettings = field(default_factory=AuditSettings)
    landing: LandingSettings = field(default_factory=LandingSettings)
    contribution_idr_per_month: int = 16800
    linkage: LinkageSettings = field(default_factory=LinkageSettings)
    forecast: ForecastSettings = field(default_factory=ForecastSettings)


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
        raise SettingsError(f"settings file {path} is not valid YAML{_where(exc)}") from exc
    if not isinstance(data, dict):
        raise SettingsError(f"settings file {path} must hold a mapping of keys")
    return data


def _where(exc: yaml.YAMLError) -> str:
    """' at line L, column C: what the parser found', 1-based as an editor shows them."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is None:
        return f": {problem}"
    return f" at line {mark.line + 1}, column {mark.column + 1}: {problem}"


def _keys(cls: type) -> dict[str, Any]:
    return {f.name: None for f in fields(cls)}


_SECTIONS = ("regencies", "alerts", "audit", "landing", "linkage", "forecast")

# The keys a settings file may hold (None: a value; a mapping: a section). Under
# ``regencies`` every key is a regency code holding a regency's keys.
KNOWN_KEYS: dict[str, Any] = {
    **{k: None for k in _keys(Settings) if k not in _SECTIONS},
    "province": {"workforce_estimate": None, "workforce_target_pct": None},
    "regencies": {"*": _keys(RegencySettings)},
    "alerts": _keys(AlertSettings),
    "audit": _keys(AuditSettings),
    "landing": _keys(LandingSettings),
    "linkage": _keys(LinkageSettings),
    "forecast": _keys(ForecastSettings),
}
for _field in ("province_workforce_estimate", "province_workforce_target_pct"):
    KNOWN_KEYS.pop(_field)


def check_keys(data: Mapping[str, Any], path: Path) -> None:
    """Refuse a key the settings do not have, naming the nearest one: a misspelled key
    (``min_agee``) would otherwise be ignored and its value silently not used."""
    _check_section(data, KNOWN_KEYS, path, "")


def _check_section(data: Mapping[str, Any], known: Mapping[str, Any], path: Path, at: str) -> None:
    for key, value in data.items():
        name = f"{at}{key}"
        if "*" in known:
            spec = known["*"]
        elif str(key) in known:
            spec = known[str(key)]
        else:
            near = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.6)
            hint = f"; did you mean {at}{near[0]}?" if near else ""
            allowed = ", ".join(f"{at}{k}" for k in known)
            raise SettingsError(
                f"settings file {path}: unknown key {name}{hint} (known here: {allowed})"
            )
        if isinstance(spec, Mapping) and isinstance(value, Mapping):
            _check_section(value, spec, path, f"{name}.")


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


def _as_time(value: Any, where: str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        # YAML 1.1 reads an unquoted 7:45 as the base-60 number 465, i.e. minutes.
        return dt.time(value // 60, value % 60)
    text = str(value).strip()
    try:
        hours, minutes = (int(part) for part in text.split(":"))
        return dt.time(hours, minutes)
    except ValueError as exc:
        raise SettingsError(f"{where}: expected a time HH:MM (WIB), got {value!r}") from exc


def _as_addresses(value: Any, where: str) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    items = value.replace(";", ",").split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise SettingsError(f"{where}: expected a list of e-mail addresses, got {value!r}")
    addresses = tuple(str(item).strip() for item in items if str(item).strip())
    for address in addresses:
        if "@" not in address:
            raise SettingsError(f"{where}: {address!r} is not an e-mail address")
    return addresses


def _alert_settings(data: Mapping[str, Any]) -> AlertSettings:
    """The ``alerts`` section, checked so a wrong channel fails loudly, not silently."""
    channel = str(data.get("channel") or "none").strip().lower()
    if channel not in ALERT_CHANNELS:
        raise SettingsError(
            f"alerts.channel: expected one of {', '.join(ALERT_CHANNELS)}, got {channel!r}"
        )
    url = str(data.get("webhook_url") or "").strip() or None
    timeout = _as_float(data.get("webhook_timeout_s"), "alerts.webhook_timeout_s")
    alerts = AlertSettings(
        channel=channel,
        email_to=_as_addresses(data.get("email_to"), "alerts.email_to"),
        email_from=(str(data.get("email_from") or "").strip() or None),
        smtp_conn_id=str(data.get("smtp_conn_id") or "smtp_default"),
        webhook_url=url,
        webhook_timeout_s=timeout or 10.0,
        snapshot_deadline=_as_time(
            data.get("snapshot_deadline") or "08:00", "alerts.snapshot_deadline"
        ),
    )
    if url is not None and not url.startswith(("https://", "http://")):
        raise SettingsError(f"{ALERT_ENV['webhook_url']}: expected an http(s) URL")
    if channel == "smtp" and not alerts.email_to:
        raise SettingsError(
            "alerts.channel is smtp but there is no recipient: "
            f"set alerts.email_to or {ALERT_ENV['email_to']}"
        )
    if channel == "webhook" and url is None:
        raise SettingsError(f"alerts.channel is webhook but {ALERT_ENV['webhook_url']} is not set")
    return alerts


def _section_value(data: Any, section: str, key: str, parse: Any) -> Any:
    """``section.key`` of a one-key section, parsed (None when absent)."""
    if not isinstance(data, Mapping):
        raise SettingsError(f"{section} must be a mapping of keys")
    return parse(data.get(key), f"{section}.{key}")


# The one-key sections: section -> (its class, its key, the parser, the values allowed and
# how to say them). audit: a share outside 0-1 would silence or flood the warnings;
# linkage: a probability outside (0, 1] would count every match or none; forecast: a pace
# needs at least a week of snapshots to mean anything.
_ONE_KEY_SECTIONS: dict[str, tuple[type, str, Any, Any, str]] = {
    "audit": (
        AuditSettings,
        "max_rejected_share",
        _as_float,
        lambda v: 0 <= v <= 1,
        "a share between 0 and 1",
    ),
    "landing": (LandingSettings, "settle_seconds", _as_int, lambda v: v >= 0, "0 or more seconds"),
    "linkage": (
        LinkageSettings,
        "min_probability",
        _as_float,
        lambda v: 0 < v <= 1,
        "a probability above 0 and at most 1",
    ),
    "forecast": (ForecastSettings, "window_days", _as_int, lambda v: v >= 7, "7 days or more"),
}


def _one_key_section(data: Mapping[str, Any], section: str) -> Any:
    """A one-key section's settings: its value parsed and checked, the default when absent."""
    cls, key, parse, allowed, saying = _ONE_KEY_SECTIONS[section]
    value = _section_value(data.get(section) or {}, section, key, parse)
    if value is None:
        return cls()
    if not allowed(value):
        raise SettingsError(f"{section}.{key}: expected {saying}, got {value!r}")
    return cls(**{key: value})


def _contribution(value: Any) -> int:
    amount = _as_int(value, "contribution_idr_per_month")
    if amount is None:
        return Settings.contribution_idr_per_month
    if amount < 0:
        raise SettingsError(
            f"contribution_idr_per_month: expected 0 or more rupiah, got {amount!r}"
        )
    return amount


def from_mapping(data: Mapping[str, Any]) -> Settings:
    """Build typed settings from a merged mapping, naming the key of any bad value."""
    regencies: dict[str, RegencySettings] = {}
    for code, entry in (data.get("regencies") or {}).items():
        entry = entry or {}
        where = f"regencies.{code}"
        regencies[str(code)] = RegencySettings(
            workforce_estimate=_as_int(
                entry.get("workforce_estimate"), f"{where}.workforce_estimate"
            ),
            workforce_target_pct=_as_float(
                entry.get("workforce_target_pct"), f"{where}.workforce_target_pct"
            ),
            submission_deadline=_as_date(
                entry.get("submission_deadline"), f"{where}.submission_deadline"
            ),
            village_target=_as_int(entry.get("village_target"), f"{where}.village_target"),
        )
    province = data.get("province") or {}
    settings = Settings(
        min_age=_as_int(data.get("min_age"), "min_age"),
        max_age=_as_int(data.get("max_age"), "max_age"),
        grace_months=_as_int(data.get("grace_months"), "grace_months"),
        poor_max_decile=_as_int(data.get("poor_max_decile"), "poor_max_decile"),
        kpj_digits=_as_int(data.get("kpj_digits"), "kpj_digits"),
        village_target=_as_int(data.get("village_target"), "village_target"),
        province_workforce_estimate=_as_int(
            province.get("workforce_estimate"), "province.workforce_estimate"
        ),
        province_workforce_target_pct=_as_float(
            province.get("workforce_target_pct"), "province.workforce_target_pct"
        ),
        regencies=regencies,
        alerts=_alert_settings(data.get("alerts") or {}),
        audit=_one_key_section(data, "audit"),
        landing=_one_key_section(data, "landing"),
        contribution_idr_per_month=_contribution(data.get("contribution_idr_per_month")),
        linkage=_one_key_section(data, "linkage"),
        forecast=_one_key_section(data, "forecast"),
    )
    if settings.min_age is None or settings.max_age is None or settings.min_age >= settings.max_age:
        raise SettingsError("min_age and max_age must be set with min_age < max_age")
    return settings


def _refuse_webhook_url(data: Mapping[str, Any], path: Path) -> None:
    alerts = data.get("alerts") or {}
    if not isinstance(alerts, Mapping):
        raise SettingsError(f"settings file {path}: alerts must be a mapping of keys")
    if alerts.get("webhook_url"):
        raise SettingsError(
            f"settings file {path}: alerts.webhook_url must not be in a settings file "
            f"(it carries a token); set {ALERT_ENV['webhook_url']} instead"
        )


def _with_alerts(data: Mapping[str, Any], overrides: Mapping[str, str]) -> dict[str, Any]:
    """Alert keys from the environment (CAKUPAN_ALERT_*, read by ``cakupan.config``) win
    over the YAML ``alerts`` section."""
    return {**data, "alerts": {**dict(data.get("alerts") or {}), **overrides}}


def load_settings(
    override_file: str | os.PathLike[str] | None = None,
    alert_overrides: Mapping[str, str] | None = None,
) -> Settings:
    """Shipped defaults merged with ``override_file``, then ``alert_overrides`` (the
    environment's alert keys). A task takes its settings from ``config.current().settings()``."""
    paths = [DEFAULT_SETTINGS_FILE, *([Path(override_file)] if override_file else [])]
    data: dict[str, Any] = {}
    for path in paths:
        part = _read_yaml(path)
        check_keys(part, path)
        _refuse_webhook_url(part, path)
        data = deep_merge(data, part)
    return from_mapping(_with_alerts(data, alert_overrides or {}))
