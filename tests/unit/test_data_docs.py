"""GX Data Docs: sanitised results (no cell values), pages per validation, idempotent builds."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import re
import threading
from pathlib import Path

import pandas as pd
import pytest
from great_expectations.core.expectation_validation_result import (
    ExpectationSuiteValidationResult,
    ExpectationValidationResult,
)
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

from cakupan.checks import data_docs
from cakupan.checks.suites import run_suite

RUN_ID = "scheduled__2025-06-01T22:00:00+00:00"
RECEIVED = dt.date(2025, 6, 2)
# The reference list is 3,259 codes long; a page must not carry it.
VILLAGE_CODES = [f"1612{i:06d}" for i in range(3259)]
MIDDLE_CODE = VILLAGE_CODES[1630]

# Every personal or cell value of the frame below that GX reports (or could report).
NIKS = ["1612054101900001", "16120541019000", "1612056505850003", "1612054101900004", "16120X4"]
NAMES = ["SITI AMINAH", "BUDI SANTOSO", "RATNA DEWI", "AHMAD FAUZI", "NURUL HIDAYAH"]
CELLS = ["17-07-2031", "2031-07-17", "1699999999"]


def bad_frame() -> pd.DataFrame:
    """Two files of village submissions, most rows failing some expectation."""
    births = [dt.date(1990, 1, 1), dt.date(1985, 5, 25), dt.date(2031, 7, 17), None, None]
    return pd.DataFrame(
        {
            "file_index": [0, 0, 0, 1, 1],
            "row_number": [2, 3, 4, 2, 3],
            "village_code": [VILLAGE_CODES[0], VILLAGE_CODES[1], MIDDLE_CODE, "1699999999", None],
            "nik": NIKS,
            "name": [*NAMES[:4], None],
            "birth_date": ["01-01-1990", "25-05-1985", "17-07-2031", "x", None],
            "birth_date__date": births,
            "submitted_on__date": [dt.date(2025, 6, 1)] * 5,
        }
    )


def validate(frame: pd.DataFrame) -> ExpectationSuiteValidationResult:
    outcome = run_suite(
        frame,
        "village_submissions",
        {"village_codes": VILLAGE_CODES, "received_date": RECEIVED, "kpj_regex": "^[0-9]{11}$"},
    )
    assert not outcome.success
    assert outcome.validation is not None
    return outcome.validation


def leaks(text: str) -> list[str]:
    return [v for v in [*NIKS, *NAMES, *CELLS, MIDDLE_CODE] if v in text]


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CAKUPAN_DATA_DIR", str(tmp_path))
    return tmp_path


def test_sanitised_result_keeps_counts_and_no_cell_value():
    clean = validate(bad_frame())
    text = json.dumps(clean.to_json_dict(), default=str)
    assert leaks(text) == []
    by_check = {
        (r.expectation_config.type, r.expectation_config.kwargs["column"]): r.result
        for r in clean.results
    }
    regex = by_check[("expect_column_values_to_match_regex", "nik")]
    assert regex["unexpected_count"] == 2 and regex["element_count"] == 5
    assert by_check[("expect_column_values_to_be_in_set", "village_code")]["unexpected_count"] == 1
    assert by_check[("expect_column_values_to_not_be_null", "name")]["unexpected_count"] == 1
    value_set = next(
        r.expectation_config.kwargs["value_set"]
        for r in clean.results
        if r.expectation_config.type == "expect_column_values_to_be_in_set"
    )
    assert value_set[-1] == "… 3,259 values in all" and len(value_set) == 4
    assert clean.statistics["unsuccessful_expectations"] > 0


def test_the_raw_result_did_hold_the_values_the_copy_drops():
    """Guards the test above: GX's COMPLETE result really lists the failing cells."""
    from cakupan.checks.suites import _batch_definition, load_suite

    batch = _batch_definition("village_submissions").get_batch(
        batch_parameters={"dataframe": bad_frame()}
    )
    raw = batch.validate(
        load_suite("village_submissions"),
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": ["file_index", "row_number"],
        },
        expectation_parameters={"village_codes": VILLAGE_CODES, "received_date": RECEIVED},
    )
    text = json.dumps(raw.to_json_dict(), default=str)
    assert {"16120541019000", "16120X4", "1699999999", "2031-07-17", MIDDLE_CODE} <= set(
        leaks(text)
    )


def _one(type_: str, result: dict, raised: bool = False) -> ExpectationSuiteValidationResult:
    item = ExpectationValidationResult(
        success=False,
        expectation_config=ExpectationConfiguration(
            type=type_, kwargs={"column": "birth_date__date", "batch_id": "b"}
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
        ("expect_table_row_count_to_be_between", True),
        ("expect_column_max_to_be_between", False),  # the max is a person's birth date
        ("expect_column_most_common_value_to_be_in_set", False),
    ],
)
def test_observed_value_kept_only_when_it_is_a_statistic(type_, kept):
    clean = data_docs.sanitize_result(_one(type_, {"observed_value": "2031-07-17"}))
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


def _keep(result: ExpectationSuiteValidationResult, batch: str, run_id: str = RUN_ID) -> Path:
    return data_docs.keep_validation(
        result,
        source="village_submissions",
        run_id=run_id,
        batch=batch,
        received_date=RECEIVED,
        files=2,
    )


# GX stamps each render with the time (an image URL's cache buster) and random element ids.
RENDER_NOISE = re.compile(
    r"\?d=\d{8}T\d{6}\.\d+Z|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)


def _site_files(data: Path) -> dict[str, str]:
    """The site's pages by path, without GX's per-render noise."""
    site = data / "gx" / "data_docs" / "local_site"
    return {
        str(p.relative_to(site)): RENDER_NOISE.sub("*", p.read_text(encoding="utf-8"))
        for p in sorted(site.rglob("*.html"))
    }


def test_docs_built_from_a_real_validation_hold_no_personal_value(data):
    assert data_docs.data_docs_index() is None
    result = validate(bad_frame())
    _keep(result, "batch-0000")
    _keep(validate(bad_frame().iloc[:2]), "batch-0001")

    index = data_docs.build_data_docs("village_submissions", RUN_ID)

    assert index is not None and index == data_docs.data_docs_index()
    assert index == data / "gx" / "data_docs" / "local_site" / "index.html"
    pages = sorted((index.parent / "validations" / "village_submissions").rglob("*.html"))
    assert [p.name for p in pages] == ["batch-0000.html", "batch-0001.html"]
    assert all(RUN_ID in str(p) for p in pages)
    page = pages[0].read_text(encoding="utf-8")
    assert "Failed" in page and "village_submissions" in page and "batch-0000" in page
    assert "3,259 values in all" in page
    index_text = index.read_text(encoding="utf-8")
    assert "batch-0000.html" in index_text and "batch-0001.html" in index_text
    # Nothing GX wrote (pages, index, stored results) holds a cell value.
    written = [p for p in (data / "gx").rglob("*") if p.is_file() and "static" not in p.parts]
    assert len(written) > 4
    for path in written:
        assert leaks(path.read_text(encoding="utf-8", errors="replace")) == [], path


def test_rebuilding_the_same_run_gives_the_same_docs(data):
    _keep(validate(bad_frame()), "batch-0000")
    data_docs.build_data_docs("village_submissions", RUN_ID)
    first = _site_files(data)
    # A retried run: the same result kept again under the same key, the docs built again.
    _keep(validate(bad_frame()), "batch-0000")
    data_docs.build_data_docs("village_submissions", RUN_ID)
    assert _site_files(data) == first
    # Another run adds its page and keeps the first run's.
    _keep(validate(bad_frame()), "batch-0000", run_id="manual__2025-06-03T01:00:00+00:00")
    data_docs.build_data_docs("village_submissions", "manual__2025-06-03T01:00:00+00:00")
    again = _site_files(data)
    assert set(first) < set(again)
    assert len([k for k in again if k.endswith("batch-0000.html")]) == 2
    # A full rebuild renders the same pages.
    data_docs.build_data_docs()
    assert _site_files(data).keys() == again.keys()


def test_a_run_without_results_builds_nothing(data):
    assert data_docs.build_data_docs("village_submissions", RUN_ID) is None
    _keep(validate(bad_frame()), "batch-0000")
    assert data_docs.build_data_docs("poverty_lists", RUN_ID) is None
    assert data_docs.data_docs_index() is None


def test_builds_wait_for_the_site_lock(data):
    """Ingest DAGs reconcile at the same time in different processes: one build at a time."""
    _keep(validate(bad_frame()), "batch-0000")
    (data / "gx").mkdir(exist_ok=True)
    with open(data / "gx" / ".data_docs.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        builder = threading.Thread(
            target=data_docs.build_data_docs, args=("village_submissions", RUN_ID)
        )
        builder.start()
        builder.join(timeout=1.0)
        assert builder.is_alive(), "the build did not wait for the lock"
        assert data_docs.data_docs_index() is None
        fcntl.flock(held, fcntl.LOCK_UN)
    builder.join(timeout=60)
    assert not builder.is_alive()
    assert data_docs.data_docs_index() is not None


def test_validation_still_works_after_a_docs_build(data):
    """The docs context must not replace the process's GX project used for validating."""
    _keep(validate(bad_frame()), "batch-0000")
    data_docs.build_data_docs("village_submissions", RUN_ID)
    outcome = run_suite(
        bad_frame(),
        "village_submissions",
        {"village_codes": VILLAGE_CODES, "received_date": RECEIVED, "kpj_regex": "^[0-9]{11}$"},
    )
    assert outcome.failing_rows["invalid_nik"] == {(0, 3), (1, 3)}


def test_the_index_lists_the_newest_results_and_every_page_stays(data, monkeypatch):
    monkeypatch.setattr(data_docs, "INDEX_LIMIT", 1)
    older, newer = "manual__2025-06-01T01:00:00+00:00", "manual__2025-06-09T01:00:00+00:00"
    data_docs.keep_validation(
        validate(bad_frame()),
        source="village_submissions",
        run_id=older,
        batch="batch-0000",
        received_date=dt.date(2025, 6, 1),
        files=2,
    )
    data_docs.build_data_docs("village_submissions", older)
    data_docs.keep_validation(
        validate(bad_frame()),
        source="village_submissions",
        run_id=newer,
        batch="batch-0000",
        received_date=dt.date(2025, 6, 9),
        files=2,
    )
    index = data_docs.build_data_docs("village_submissions", newer)
    assert index is not None
    pages = [k for k in _site_files(data) if k.startswith("validations/")]
    assert len(pages) == 2
    text = index.read_text(encoding="utf-8")
    assert "20250609T000000" in text and "20250601T000000" not in text


def test_data_docs_failures_never_fail_the_load_or_the_docs_task(tmp_path, monkeypatch):
    from cakupan import pipeline

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(data_docs, "keep_validation", broken)
    monkeypatch.setattr(data_docs, "build_data_docs", broken)
    manifest = {"source": "village_submissions", "run_id": RUN_ID, "received_date": "2025-06-02"}
    path = tmp_path / "batch-0000.json"
    path.write_text(json.dumps({**manifest, "files": []}), encoding="utf-8")
    pipeline._keep_for_docs(manifest, "batch-0000")(validate(bad_frame()), 2)
    pipeline.publish_data_docs([str(path)])


@pytest.mark.parametrize("run_id", ["manual/../../x", "..", "run id with spaces"])
def test_odd_run_ids_stay_inside_the_store(data, run_id):
    path = _keep(validate(bad_frame()), "batch-0000", run_id=run_id)
    assert path.resolve().is_relative_to(data / "gx" / "validations" / "village_submissions")
    assert data_docs.build_data_docs("village_submissions", run_id) is not None
