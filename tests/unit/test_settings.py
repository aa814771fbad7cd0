"""Settings: shipped defaults, overridden key by key (nested too), errors that name the key."""

from __future__ import annotations

import datetime as dt

import pytest

from cakupan.config import current
from cakupan.settings import AuditSettings, SettingsError, load_settings


def _write(tmp_path, text: str):
    path = tmp_path / "audit.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_defaults_match_the_contract():
    s = load_settings()
    assert (s.min_age, s.max_age, s.grace_months, s.poor_max_decile, s.kpj_digits) == (
        15,
        65,
        3,
        5,
        11,
    )
    assert s.village_target == 100
    assert (s.province_workforce_estimate, s.province_workforce_target_pct) == (3_000_000, 50)
    pali = s.regencies["1612"]
    assert (pali.workforce_estimate, pali.workforce_target_pct) == (50_000, 50)
    assert pali.submission_deadline == dt.date(2025, 5, 30)
    assert set(s.regencies) == {"1612"}  # unknown figures stay empty, never invented
    assert s.audit.max_rejected_share == 0.5
    assert s.contribution_idr_per_month == 16_800  # CONTRACT §6, §5.1
    assert s.linkage.min_probability == 0.95
    assert s.forecast.window_days == 28
    assert s.landing.settle_seconds == 120


def test_the_contract_settings_example_is_accepted_whole(tmp_path):
    """The YAML block of CONTRACT §6, as a user would copy it into a settings file."""
    text = (
        "min_age: 15\nmax_age: 65\ngrace_months: 3\npoor_max_decile: 5\nkpj_digits: 11\n"
        "village_target: 100\n"
        "province:\n  workforce_estimate: 3000000\n  workforce_target_pct: 50\n"
        "regencies:\n  '1612':\n    workforce_estimate: 50000\n    workforce_target_pct: 50\n"
        "    submission_deadline: 2025-05-30\n"
        "contribution_idr_per_month: 20000\n"
        "linkage:\n  min_probability: 0.9\n"
        "forecast:\n  window_days: 14\n"
        "landing:\n  settle_seconds: 60\n"
    )
    s = load_settings(_write(tmp_path, text))
    assert s.contribution_idr_per_month == 20_000
    assert (s.linkage.min_probability, s.forecast.window_days) == (0.9, 14)
    assert s.landing.settle_seconds == 60


def test_override_merges_key_by_key(tmp_path, monkeypatch):
    override = tmp_path / "mine.yaml"
    override.write_text(
        "grace_months: 2\n"
        "regencies:\n"
        "  '1612': {village_target: 120}\n"
        "  '1603': {submission_deadline: 2025-06-15}\n",
        encoding="utf-8",
    )
    s = load_settings(override)
    assert s.grace_months == 2 and s.min_age == 15
    assert s.regencies["1612"].village_target == 120
    assert s.regencies["1612"].workforce_estimate == 50_000  # kept from the defaults
    assert s.regencies["1603"].submission_deadline == dt.date(2025, 6, 15)
    assert s.audit.max_rejected_share == 0.5
    assert load_settings(_write(tmp_path, "audit: {max_rejected_share: 0.8}\n")).audit == (
        AuditSettings(max_rejected_share=0.8)
    )
    monkeypatch.setenv("CAKUPAN_SETTINGS", str(override))
    assert current().settings().grace_months == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("min_age: ten\n", "min_age"),
        (
            "regencies: {'1612': {submission_deadline: soon}}\n",
            "regencies.1612.submission_deadline: expected a date YYYY-MM-DD, got 'soon'",
        ),
        ("min_age: 70\n", "min_age < max_age"),
        ("- a list\n", "mapping"),
        ("audit: {max_rejected_share: 1.5}\n", "audit.max_rejected_share"),
        ("audit: {max_rejected_share: half}\n", "audit.max_rejected_share"),
        ("audit: 0.5\n", "audit must be a mapping"),
        ("linkage: {min_probability: 1.5}\n", "linkage.min_probability: expected a probability"),
        ("linkage: {min_probability: 0}\n", "linkage.min_probability"),
        ("forecast: {window_days: 3}\n", "forecast.window_days: expected 7 days or more"),
        ("contribution_idr_per_month: -1\n", "contribution_idr_per_month: expected 0 or more"),
        ("contribution_idr_per_month: lots\n", "contribution_idr_per_month: expected a whole"),
    ],
)
def test_bad_settings_name_the_key(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=message):
        load_settings(path)


def test_missing_settings_file_is_named(tmp_path):
    with pytest.raises(SettingsError, match="not found"):
        load_settings(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("min_agee: 18\n", "unknown key min_agee; did you mean min_age?"),
        ("alerts: {chanel: smtp}\n", "unknown key alerts.chanel; did you mean alerts.channel?"),
        (
            "regencies: {'1612': {village_targt: 3}}\n",
            "unknown key regencies.1612.village_targt; did you mean regencies.1612.village_target?",
        ),
        ("colour: blue\n", "unknown key colour (known here: min_age,"),
        (
            "linkage: {min_probabilty: 0.9}\n",
            "unknown key linkage.min_probabilty; did you mean linkage.min_probability?",
        ),
        (
            "forecast: {window: 7}\n",
            "unknown key forecast.window; did you mean forecast.window_days?",
        ),
    ],
)
def test_an_unknown_key_fails_naming_the_nearest(tmp_path, text, message):
    with pytest.raises(SettingsError) as raised:
        load_settings(_write(tmp_path, text))
    assert message in str(raised.value)


def test_malformed_yaml_names_file_line_and_column(tmp_path):
    path = _write(tmp_path, "min_age: 15\nmax_age: [65,\n  grace: 2\n")
    with pytest.raises(SettingsError) as raised:
        load_settings(path)
    where = f"settings file {path} is not valid YAML at line 4, column 1"
    assert str(raised.value).startswith(where)
