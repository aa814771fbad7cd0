"""The audit suites in expectations/: every expectation recognised by GX, each with a
severity, a name and a sentence, naming only real columns; and what GX says on frames."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from cakupan.checks.audit import (
    CRITICAL,
    HELPER_COLUMNS,
    WARNING,
    AuditFailed,
    AuditResult,
    audit_frames,
    findings_of,
    validate,
)
from cakupan.checks.suites import (
    AUDITED_TABLES,
    COVERAGE_TABLES,
    load_suite,
    read_suite_json,
    suite_name,
)
from cakupan.paths import EXPECTATIONS_DIR, SQL_DIR
from cakupan.report.labels import LABELS
from tests.unit import audit_frames as af

TABLES = sorted(AUDITED_TABLES)


def mart_columns(table: str) -> set[str]:
    """The columns of ``mart.<table>`` as the DDL declares them (its CREATE TABLE and the
    columns appended since, CONTRACT §5.1)."""
    ddl = "\n".join(
        (SQL_DIR / "ddl" / name).read_text(encoding="utf-8")
        for name in ("050_mart.sql", "060_contract_5_1.sql")
    )
    body = re.search(rf"CREATE TABLE IF NOT EXISTS mart\.{table} \((.*?)\n\);", ddl, re.S)
    assert body is not None, table
    appended = re.findall(rf"ALTER TABLE mart\.{table} ADD COLUMN IF NOT EXISTS (\w+)", ddl)
    return {
        line.split()[0]
        for line in body.group(1).splitlines()
        if line.strip() and not line.strip().startswith("PRIMARY KEY")
    } | set(appended)


def named_columns(expectation: dict) -> set[str]:
    """Every column an expectation reads, its row condition's included."""
    kwargs = expectation["kwargs"]
    names = {kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs}
    names |= set(kwargs.get("column_list") or [])

    def walk(condition: dict | None) -> None:
        if not condition:
            return
        if "column" in condition:
            names.add(condition["column"]["name"])
        for inner in condition.get("conditions") or []:
            walk(inner)

    walk(kwargs.get("row_condition"))
    return names


def test_the_suites_are_exactly_one_per_published_table():
    files = sorted(p.stem for p in EXPECTATIONS_DIR.glob("*.json"))
    assert files == sorted(suite_name(t) for t in AUDITED_TABLES)


@pytest.mark.parametrize("table", TABLES)
def test_suite_loads_with_every_expectation_recognised(table):
    raw = read_suite_json(table)
    suite = load_suite(table)
    assert raw["name"] == suite_name(table) == suite.name
    assert len(raw["expectations"]) > 0
    # GX drops expectation types it does not know without a word: count them.
    assert len(suite.expectations) == len(raw["expectations"])
    assert [e.expectation_type for e in suite.expectations] == [
        e["type"] for e in raw["expectations"]
    ]
    assert [e.severity.value for e in suite.expectations] == [
        e["severity"] for e in raw["expectations"]
    ]


@pytest.mark.parametrize("table", TABLES)
def test_every_expectation_has_a_severity_a_unique_check_and_a_sentence(table):
    expectations = read_suite_json(table)["expectations"]
    checks = [e["meta"]["check"] for e in expectations]
    assert len(checks) == len(set(checks)), "meta.check names must be unique in a suite"
    for e in expectations:
        assert e["severity"] in (CRITICAL, WARNING), e  # explicit: GX would default it
        assert re.fullmatch(r"[a-z0-9_]+", e["meta"]["check"]), e
        assert e["meta"]["message"].endswith("."), e


@pytest.mark.parametrize("table", TABLES)
def test_suites_name_only_columns_of_their_table_or_its_helpers(table):
    known = mart_columns(table) | set(HELPER_COLUMNS.get(table, ()))
    for e in read_suite_json(table)["expectations"]:
        assert named_columns(e) <= known, (e["meta"]["check"], named_columns(e) - known)


@pytest.mark.parametrize("table", ["coverage_village", "coverage_district", "coverage_regency"])
def test_one_row_per_reference_unit_and_a_unique_code(table):
    by_type = {e["type"]: e for e in read_suite_json(table)["expectations"]}
    count = by_type["expect_table_row_count_to_equal"]
    assert count["kwargs"]["value"] == {"$PARAMETER": "expected_rows"}
    assert count["severity"] == CRITICAL
    unit = table.removeprefix("coverage_")
    assert by_type["expect_column_values_to_be_unique"]["kwargs"]["column"] == f"{unit}_code"


@pytest.mark.parametrize(
    "table", ["coverage_village", "coverage_district", "coverage_regency", "coverage_province"]
)
def test_the_worker_funnel_is_checked_on_every_coverage_table(table):
    pairs = {
        (e["kwargs"]["column_A"], e["kwargs"]["column_B"])
        for e in read_suite_json(table)["expectations"]
        if e["type"] == "expect_column_pair_values_a_to_be_greater_than_b"
        and e["kwargs"]["or_equal"]
    }
    assert {
        ("workers_proposed", "workers_eligible"),
        ("workers_eligible", "workers_enrolled"),
        ("workers_enrolled", "workers_covered"),
    } <= pairs


@pytest.mark.parametrize("table", COVERAGE_TABLES)
def test_the_enrolment_and_budget_columns_are_checked_on_every_coverage_table(table):
    """CONTRACT §5.1: awaiting = eligible - enrolled, paid by village within covered,
    probably covered within the not covered, the budget where there are desa, none negative."""
    checks = {e["meta"]["check"]: e for e in read_suite_json(table)["expectations"]}
    equal = checks["awaiting_enrolment_is_eligible_not_enrolled"]
    assert equal["type"] == "expect_column_pair_values_to_be_equal"
    assert (equal["kwargs"]["column_A"], equal["kwargs"]["column_B"]) == (
        "workers_awaiting_enrolment",
        "workers_not_enrolled",
    )
    within = {
        (e["kwargs"]["column_A"], e["kwargs"]["column_B"])
        for e in checks.values()
        if e["type"] == "expect_column_pair_values_a_to_be_greater_than_b"
    }
    assert {
        ("workers_covered", "workers_paid_by_village"),
        ("workers_not_covered", "workers_probably_covered"),
    } <= within
    not_negative = {
        e["kwargs"]["column"]
        for e in checks.values()
        if e["type"] == "expect_column_values_to_be_between" and e["kwargs"]["min_value"] == 0
    }
    assert {
        "workers_awaiting_enrolment",
        "workers_paid_by_village",
        "workers_probably_covered",
        "village_budget_idr_per_year",
    } <= not_negative
    budget = {"no_budget_for_kelurahan", "budget_for_every_desa"}
    if table != "coverage_village":
        budget = {"budget_null_without_desa", "budget_set_with_desa"}
    assert budget <= set(checks)
    assert all(checks[c]["severity"] == CRITICAL for c in budget | {equal["meta"]["check"]})


def test_only_the_rejected_share_is_a_warning_and_the_report_can_name_it():
    warnings = [
        (table, e["meta"]["check"])
        for table in TABLES
        for e in read_suite_json(table)["expectations"]
        if e["severity"] == WARNING
    ]
    assert warnings == [("data_quality", "rejected_share_within_setting")]
    for lang in LABELS:
        for _, check in warnings:
            assert LABELS[lang][f"audit_{check}"], (lang, check)


def test_consistent_frames_pass_every_suite():
    audit = audit_frames(af.AS_OF, af.frames(), af.parameters())
    assert audit.findings == []
    assert all(result.success for result in audit.validations.values())
    assert audit.rows["coverage_village"] == 3


def _audit_with(table: str, frame, max_rejected_share: float = 0.5) -> AuditResult:
    """The audit of one table's frame (the other suites pass, as shown above)."""
    raw = validate(table, frame, af.parameters(max_rejected_share)[table])
    return AuditResult(af.AS_OF, findings=findings_of(table, raw))


def test_covered_above_eligible_is_critical_and_named():
    frame = af.village()
    frame.loc[0, "workers_covered"] = 9  # above enrolled (6) and eligible (8)
    audit = _audit_with("coverage_village", frame)
    assert {f.check for f in audit.critical} == {"covered_within_enrolled"}
    (finding,) = audit.critical
    assert finding.table == "mart.coverage_village"
    assert finding.expectation == (
        "expect_column_pair_values_a_to_be_greater_than_b(workers_enrolled, workers_covered)"
    )
    assert (finding.unexpected_count, finding.element_count) == (1, 3)
    message = str(AuditFailed(audit))
    assert "\n" not in message
    assert message.startswith("snapshot 2025-06-02 not published: mart.coverage_village failed")
    assert "covered_within_enrolled" in message and "1 of 3 rows" in message


PLANTED = [
    # table, column, row, value, the critical checks it must fail
    (
        "coverage_village",
        "target_attainment_pct",
        2,
        5.0,
        ["target_attainment_pct_null_without_target_workers"],
    ),
    (
        "coverage_village",
        "target_attainment_pct",
        0,
        None,
        ["target_attainment_pct_set_with_target_workers"],
    ),
    ("coverage_village", "coverage_pct", 0, 100.5, ["coverage_pct_0_to_100"]),
    # a kelurahan with a target: its empty attainment is now wrong too
    (
        "coverage_village",
        "target_workers",
        2,
        100.0,
        ["no_target_for_kelurahan", "target_attainment_pct_set_with_target_workers"],
    ),
    ("coverage_village", "submission_status", 0, "sent", ["submission_status_known"]),
    ("coverage_village", "village_code", 1, "1612052011", ["village_code_unique"]),
    (
        "coverage_village",
        "first_submitted_on",
        0,
        dt.datetime(2025, 6, 3),
        ["first_submission_not_after_snapshot"],
    ),
    ("coverage_district", "villages_submitted", 0, 3, ["submitted_within_expected"]),
    (
        "coverage_regency",
        "workforce_coverage_pct",
        0,
        None,
        ["workforce_coverage_pct_set_with_workforce_estimate"],
    ),
    ("coverage_province", "members_unattributed", 0, 8, ["unattributed_within_members_covered"]),
    # CONTRACT §5.1 columns
    (
        "coverage_village",
        "workers_awaiting_enrolment",
        0,
        3,
        ["awaiting_enrolment_is_eligible_not_enrolled"],
    ),
    ("coverage_village", "workers_paid_by_village", 0, 5, ["paid_by_village_within_covered"]),
    ("coverage_village", "village_budget_idr_per_year", 2, 1.0, ["no_budget_for_kelurahan"]),
    ("coverage_village", "village_budget_idr_per_year", 1, None, ["budget_for_every_desa"]),
    (
        "coverage_district",
        "workers_probably_covered",
        0,
        7,
        ["probably_covered_within_not_covered"],
    ),
    ("coverage_regency", "village_budget_idr_per_year", 0, None, ["budget_set_with_desa"]),
    (
        "coverage_province",
        "workers_paid_by_village",
        0,
        -1,
        ["workers_paid_by_village_not_negative"],
    ),
    ("coverage_province", "village_budget_idr_per_year", 0, -5, ["village_budget_not_negative"]),
    # a date beside a falling pace; a date before the snapshot; a third kind of unit
    (
        "coverage_forecast",
        "target_reached_on",
        1,
        dt.datetime(2026, 1, 1),
        ["target_reached_on_null_without_positive_pace"],
    ),
    (
        "coverage_forecast",
        "workforce_target_reached_on",
        0,
        dt.datetime(2025, 6, 1),
        ["workforce_target_reached_on_not_before_snapshot"],
    ),
    ("coverage_forecast", "unit_level", 0, "district", ["unit_level_known"]),
]


@pytest.mark.parametrize(("table", "column", "row", "value", "checks"), PLANTED)
def test_each_planted_mistake_fails_its_own_critical_check(table, column, row, value, checks):
    frame = getattr(af, table.removeprefix("coverage_"))()
    if value is None:
        frame[column] = frame[column].astype("object")
    frame.loc[row, column] = value
    audit = _audit_with(table, frame)
    assert [f.check for f in audit.critical] == checks
    assert audit.warnings == []


def test_a_missing_reference_unit_fails_the_row_count():
    audit = _audit_with("coverage_village", af.village().iloc[:2])
    (finding,) = audit.critical
    assert finding.check == "one_row_per_reference_unit"
    assert finding.observed == 2 and "observed 2 rows" in finding.line()


def test_rows_read_must_be_accounted_for():
    frame = af.data_quality([("a.csv", af.AS_OF, 10, 5, 4)])
    audit = _audit_with("data_quality", frame)
    assert [f.check for f in audit.critical] == ["rows_read_accounted_for"]


def test_a_high_rejected_share_received_that_day_is_a_warning_only():
    frame = af.data_quality(
        [
            ("a.csv", af.AS_OF, 10, 4, 6),  # 60 % > 50 %: warning
            ("b.csv", af.AS_OF, 10, 5, 5),  # exactly at the limit: fine
            ("c.csv", af.AS_OF, 0, 0, 0),  # nothing read (rejected file): no share
            ("d.csv", af.AS_OF.replace(day=1), 10, 1, 9),  # an earlier day's news
        ]
    )
    audit = _audit_with("data_quality", frame)
    assert audit.critical == []
    (warning,) = audit.warnings
    assert warning.check == "rejected_share_within_setting"
    assert (warning.unexpected_count, warning.element_count) == (1, 3)  # 3 files that day
    assert _audit_with("data_quality", frame, max_rejected_share=0.7).findings == []


def test_no_file_at_all_passes():
    assert _audit_with("data_quality", af.data_quality([])).findings == []


def test_an_expectation_that_cannot_run_is_critical_whatever_its_severity():
    frame = af.data_quality().drop(columns=["rejected_share"])
    audit = _audit_with("data_quality", frame)
    (finding,) = audit.findings
    assert finding.check == "rejected_share_within_setting" and finding.raised
    assert finding.severity == CRITICAL
