"""The GX suites in expectations/: every expectation recognised, mapped to a contract reason."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cakupan.checks.suites import load_suite, read_suite_json, run_suite
from cakupan.sources.specs import REASONS, SOURCES


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_suite_loads_with_every_expectation_recognised(source):
    raw = read_suite_json(source)
    suite = load_suite(source)
    assert len(raw["expectations"]) > 0
    # GX drops expectation types it does not know without a word: count them.
    assert len(suite.expectations) == len(raw["expectations"])
    assert [e.expectation_type for e in suite.expectations] == [
        e["type"] for e in raw["expectations"]
    ]


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_every_expectation_names_a_contract_reason(source):
    for expectation in read_suite_json(source)["expectations"]:
        assert expectation["meta"]["reason"] in REASONS, expectation


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_every_required_column_has_a_not_null_expectation(source):
    not_null = {
        e["kwargs"]["column"]
        for e in read_suite_json(source)["expectations"]
        if e["type"] == "expect_column_values_to_not_be_null"
        and e["meta"]["reason"] == "missing_required"
    }
    assert not_null == set(SOURCES[source].required)


def test_failing_rows_come_from_gx_results_by_row_number():
    frame = pd.DataFrame(
        {
            "file_index": [0, 0, 0, 0],
            "row_number": [2, 3, 4, 5],
            "nik": ["1612054101900001", None, "12345", "1612054101900002"],
            "family_number": [None] * 4,
            "name": ["A", "B", "C", "D"],
            "birth_date": [None] * 4,
            "birth_date__date": [None] * 4,
            "village_code": ["1612052011", "1612052011", "1612052011", "9999999999"],
            "decile": ["3", "3", "3", "11"],
            "decile__num": pd.array([3, 3, 3, 11], dtype="Int64"),
        }
    )
    outcome = run_suite(
        frame,
        "poverty_lists",
        {
            "village_codes": ["1612052011"],
            "received_date": dt.date(2025, 6, 1),
            "kpj_regex": "^[0-9]{11}$",
        },
    )
    assert outcome.failing_rows["missing_required"] == {(0, 3)}
    assert outcome.failing_rows["invalid_nik"] == {(0, 4)}
    assert outcome.failing_rows["unknown_village"] == {(0, 5)}
    assert outcome.failing_rows["invalid_value"] == {(0, 5)}
    assert not outcome.success
