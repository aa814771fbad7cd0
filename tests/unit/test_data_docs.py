"""GX Data Docs of a snapshot's audit: sanitised results (no cell values), one folder per
snapshot date, failed audits apart, idempotent builds, and failures that never raise."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import re
import threading
from pathlib import Path

import pytest
from great_expectations.core.expectation_validation_result import (
    ExpectationSuiteValidationResult,
    ExpectationValidationResult,
)
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

from cakupan.checks import data_docs
from cakupan.checks.audit import AuditResult, audit_frames
from tests.unit import audit_frames as af

NEXT_DAY = af.AS_OF + dt.timedelta(days=1)
# Values of the frames a page must never show: a file name with a person's name and NIK.
PERSONAL = [af.PERSONAL_FILE_NAME, "SITI AMINAH", "1612054101900001"]


def leaks(text: str) -> list[str]:
    return [v for v in PERSONAL if v in text]


def failing_frames():
    """The personal file listed twice: a duplicate the compound-unique check fails on."""
    quality = af.data_quality(
        [
            (af.PERSONAL_FILE_NAME, af.AS_OF, 10, 9, 1),
            (af.PERSONAL_FILE_NAME, af.AS_OF, 10, 9, 1),
        ]
    )
    quality["sha256"] = "0" * 64
    return {**af.frames(), "data_quality": quality}


def audit(frames=None, as_of: dt.date = af.AS_OF) -> AuditResult:
    return audit_frames(as_of, frames or af.frames(), af.parameters())


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CAKUPAN_DATA_DIR", str(tmp_path))
    return tmp_path


def test_the_raw_result_holds_the_values_the_sanitised_copy_drops():
    """GX's COMPLETE result really lists failing cells (the file name); the copy does not."""
    from cakupan.checks.audit import _batch_definition
    from cakupan.checks.suites import load_suite

    frame = failing_frames()["data_quality"]
    raw = (
        _batch_definition("data_quality")
        .get_batch(batch_parameters={"dataframe": frame})
        .validate(
            load_suite("data_quality"),
            result_format={"result_format": "COMPLETE"},
            expectation_parameters={"max_rejected_share": 0.5},
        )
    )
    assert af.PERSONAL_FILE_NAME in leaks(json.dumps(raw.to_json_dict(), default=str))
    clean = data_docs.sanitize_result(raw)
    assert leaks(json.dumps(clean.to_json_dict(), default=str)) == []
    unique = next(
        r for r in clean.results if r.expectation_config.type.startswith("expect_compound")
    )
    assert unique.result["unexpected_count"] == 2 and unique.result["element_count"] == 2
    assert unique.expectation_config.meta["check"] == "one_row_per_file"
    assert clean.statistics["unsuccessful_expectations"] == 1


def _one(
    type_: str, result: dict, raised: bool = False, kwargs: dict | None = None
) -> ExpectationSuiteValidationResult:
    item = ExpectationValidationResult(
        success=False,
        expectation_config=ExpectationConfiguration(
            type=type_, kwargs={"column": "file_name", "batch_id": "b", **(kwargs or {})}
        ),
        result=result,
        exception_info={
            "raised_exception": raised,
            "exception_message": "cannot compare 'SITI AMINAH'" if raised else None,
            "exception_traceback": "Traceback ... 'SITI AMINAH'" if raised else None,
        },
    )
    return ExpectationSuiteValidationResult(
        success=False, results=[item], suite_name="s", meta={"batch_markers": {"x": 1}}
    )


@pytest.mark.parametrize(
    ("type_", "kept"),
    [
        ("expect_table_row_count_to_equal", True),
        ("expect_column_max_to_be_between", False),  # the max can be a cell's value
        ("expect_column_most_common_value_to_be_in_set", False),
    ],
)
def test_observed_value_kept_only_when_it_is_a_statistic(type_, kept):
    clean = data_docs.sanitize_result(_one(type_, {"observed_value": "SITI AMINAH"}))
    assert ("observed_value" in clean.results[0].result) is kept


def test_unknown_result_fields_exception_texts_and_batch_markers_are_dropped():
    clean = data_docs.sanitize_result(
        _one(
            "expect_column_values_to_not_be_null",
            {"unexpected_count": 1, "details": {"value_counts": ["SITI AMINAH"]}},
            raised=True,
        )
    )
    item = clean.results[0]
    assert item.result == {"unexpected_count": 1}
    assert item.exception_info["raised_exception"] is True
    assert "SITI" not in json.dumps(clean.to_json_dict())
    assert "batch_id" not in item.expectation_config.kwargs
    assert "batch_markers" not in clean.meta


def test_long_value_sets_are_shortened():
    codes = [f"1612{i:06d}" for i in range(3259)]
    clean = data_docs.sanitize_result(
        _one("expect_column_values_to_be_in_set", {}, kwargs={"value_set": codes})
    )
    value_set = clean.results[0].expectation_config.kwargs["value_set"]
    assert value_set == [*codes[:3], "… 3,259 values in all"]


def test_an_exception_reported_per_metric_counts_as_raised():
    """GX 1.x reports a metric that failed to compute under its metric id, not at the top."""
    nested = {"MetricConfigurationID(...)": {"raised_exception": True, "exception_message": "x"}}
    assert data_docs.raised_exception(nested)
    assert not data_docs.raised_exception({"raised_exception": False})
    assert not data_docs.raised_exception(None)


# GX stamps each render with the time (an image URL's cache buster) and random element ids.
RENDER_NOISE = re.compile(
    r"\?d=\d{8}T\d{6}\.\d+Z|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)


def _site_files(site: Path) -> dict[str, str]:
    """A site's pages by path, without GX's per-render noise."""
    return {
        str(p.relative_to(site)): RENDER_NOISE.sub("*", p.read_text(encoding="utf-8"))
        for p in sorted(site.rglob("*.html"))
    }


def test_docs_of_a_snapshot_go_to_its_own_folder_and_hold_no_personal_value(data):
    assert data_docs.data_docs_index(af.AS_OF) is None
    index = data_docs.build_snapshot_docs(audit(failing_frames()))

    assert index == data / "gx" / "snapshots" / "2025-06-02" / "index.html"
    assert index == data_docs.data_docs_index(af.AS_OF)
    pages = sorted((index.parent / "validations").rglob("*.html"))
    assert [p.name for p in pages] == [
        "mart.coverage_district.html",
        "mart.coverage_forecast.html",
        "mart.coverage_province.html",
        "mart.coverage_regency.html",
        "mart.coverage_village.html",
        "mart.data_quality.html",
    ]
    assert all("snapshot_2025-06-02" in str(p) for p in pages)
    page = pages[-1].read_text(encoding="utf-8")
    assert "Failed" in page and "mart_data_quality" in page and "mart.data_quality" in page
    index_text = index.read_text(encoding="utf-8")
    assert all(p.name in index_text for p in pages)
    # Nothing GX wrote holds a cell value.
    written = [p for p in (data / "gx").rglob("*") if p.is_file() and "static" not in p.parts]
    assert len(written) > 5
    for path in written:
        assert leaks(path.read_text(encoding="utf-8", errors="replace")) == [], path
    # GX's 4 MB of assets are kept once: each date's static/ holds hard links to them.
    css = Path("styles") / "data_docs_default_styles.css"
    assert (index.parent / "static" / css).samefile(data / "gx" / "static" / css)


def test_rebuilding_a_date_gives_the_same_docs_and_other_dates_keep_theirs(data):
    first_index = data_docs.build_snapshot_docs(audit())
    first = _site_files(first_index.parent)
    # A retried or re-run snapshot: the same audit, the same pages, the folder replaced.
    data_docs.build_snapshot_docs(audit())
    assert _site_files(first_index.parent) == first
    # The next day gets its own folder; the first day's stays as it was.
    next_index = data_docs.build_snapshot_docs(audit(as_of=NEXT_DAY))
    assert next_index.parent.name == NEXT_DAY.isoformat()
    assert _site_files(first_index.parent) == first
    assert sorted(p.name for p in (data / "gx" / "snapshots").iterdir()) == [
        "2025-06-02",
        "2025-06-03",
    ]
    assert not list((data / "gx").glob(".build-*")), "build folders are cleaned up"


def test_a_failed_audit_has_docs_apart_until_the_date_is_published(data):
    failed = data_docs.build_snapshot_docs(audit(failing_frames()), published=False)
    assert failed == data / "gx" / "failed" / "2025-06-02" / "index.html"
    assert data_docs.data_docs_index(af.AS_OF) is None  # the report links published docs only
    data_docs.build_snapshot_docs(audit())
    assert data_docs.data_docs_index(af.AS_OF) is not None
    assert not failed.parent.exists()


def test_builds_wait_for_the_site_lock(data):
    """A retried task may render the same date in another process: one swap at a time."""
    result = audit()
    (data / "gx").mkdir(exist_ok=True)
    with open(data / "gx" / ".data_docs.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        builder = threading.Thread(target=data_docs.build_snapshot_docs, args=(result,))
        builder.start()
        builder.join(timeout=5.0)
        assert builder.is_alive(), "the build did not wait for the lock"
        assert data_docs.data_docs_index(af.AS_OF) is None
        fcntl.flock(held, fcntl.LOCK_UN)
    builder.join(timeout=120)
    assert not builder.is_alive()
    assert data_docs.data_docs_index(af.AS_OF) is not None


def test_auditing_still_works_after_a_docs_build(data):
    """The docs context must not replace the process's GX project used for validating."""
    data_docs.build_snapshot_docs(audit())
    again = audit(failing_frames())
    assert [f.check for f in again.critical] == ["one_row_per_file"]


def test_a_rendering_failure_is_logged_never_raised(data, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(data_docs, "_docs_context", broken)
    assert data_docs.render_snapshot_docs(audit()) is None
    assert data_docs.data_docs_index(af.AS_OF) is None
    assert not list((data / "gx").glob(".build-*"))
