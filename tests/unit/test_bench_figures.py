"""How the benchmark turns task timings into its figures, its JSON line and the doc block."""

from __future__ import annotations

import json
from pathlib import Path

from cakupan.timing import VALIDATION_PHASES
from cakupan_dev.bench.harness import EngineResult, Run
from cakupan_dev.bench.performance import BEGIN, END, render, summary, write_block


def _judged(seconds: float) -> dict[str, float]:
    """``seconds`` spent deciding verdicts, spread over whichever phases count as that."""
    return {phase: seconds / len(VALIDATION_PHASES) for phase in VALIDATION_PHASES}


def _run(wall: float, rss: float, scale: float = 1.0) -> Run:
    tasks = [
        {"stage": "discover", "wall_s": 1.0, "phases_s": {}, "source": "village_submissions"},
        {
            "stage": "load",
            "wall_s": 10.0 * scale,
            "phases_s": {**_judged(2.5 * scale), "read": 6.0 * scale},
            "source": "village_submissions",
        },
        {"stage": "reconcile", "wall_s": 0.5, "phases_s": {}, "sources": ["village_submissions"]},
        {"stage": "discover", "wall_s": 0.5, "phases_s": {}, "source": "poverty_lists"},
        {
            "stage": "load",
            "wall_s": 40.0 * scale,
            "phases_s": {**_judged(10.0 * scale), "write": 10.0 * scale},
            "source": "poverty_lists",
        },
        {"stage": "reconcile", "wall_s": 1.5, "phases_s": {}, "sources": ["poverty_lists"]},
        {
            "stage": "load",
            "wall_s": 20.0,
            "phases_s": _judged(3.0),
            "source": "member_exports",
        },
        {
            "stage": "snapshot",
            "wall_s": 8.0,
            "phases_s": {
                "core/010_proposed_worker": 1.0,
                "core/050_poverty_latest": 5.0,
                "core/065_probable_match": 2.5,
            },
            "as_of": "2025-07-01",
        },
    ]
    return Run(wall_s=wall, peak_rss_mb=rss, tasks=tasks)


DLT = {
    "seconds": 25.0,
    "rows": 5_785_000,
    "import_s": 1.5,
    "run_s": 22.0,
    "dlt_version": "1.31.0",
    "loader_file_format": "parquet",
}

LINKAGE = {
    "typos": 1400,
    "lookalikes": 1300,
    "links": 1290,
    "right": 1280,
    "lookalikes_linked": 2,
    "precision": 0.9922,
    "recall": 0.9143,
    "threshold": 0.95,
}


def _measured(with_dlt: bool = True) -> dict:
    result = EngineResult(
        engine="duckdb",
        cold=_run(100.0, 1500.0),
        increment=_run(40.0, 1200.0, scale=0.1),
        bare={"seconds": 20.0, "rows": 5_500_000},
        peer={"seconds": 1000.0, "rows": 5_785_000, "read_s": 30.0, "write_s": 970.0},
        dlt=DLT if with_dlt else None,
        empty={"seconds": 24.46, "first_s": 27.0, "peak_rss_mb": 600.0},
        linkage=LINKAGE,
    )
    return {
        "scale": 1.0,
        "generated_s": 25.0,
        "set": {
            "2025-07-01": {
                "poverty_lists": {
                    "files": 1,
                    "rows_read": 10,
                    "rows_loaded": 9,
                    "rows_rejected": 1,
                }
            }
        },
        "results": {"duckdb": result},
        "memory": {
            1: {"rows": 4, "peak_rss_mb": 1000.0, "wall_s": 50.0, "load_s": 30.0},
            4: {"rows": 16, "peak_rss_mb": 1100.0, "wall_s": 150.0, "load_s": 120.0},
        },
        "dlt_env": {"setup_s": None, "pins": ["dlt[duckdb,postgres]==1.31.0", "pyarrow==26.0.1"]}
        if with_dlt
        else None,
    }


def test_stage_figures() -> None:
    run = _run(100.0, 1500.0)
    # CSV stages: discover + load + reconcile of the register, load of the export
    assert run.csv_ingest_s() == 0.5 + 40.0 + 1.5 + 20.0
    assert run.validation_shares() == {
        "village_submissions": 0.25,
        "poverty_lists": 0.25,
        "member_exports": 0.15,
    }
    assert run.stage_seconds()["load poverty_lists"] == 40.0
    # ingest: every discover, load and reconcile of the three sources; not the snapshot
    assert run.ingest_s() == 1.0 + 10.0 + 0.5 + 0.5 + 40.0 + 1.5 + 20.0


def test_json_line_has_the_issue_keys() -> None:
    line = json.loads(json.dumps(summary(_measured())))
    assert line == {
        "duckdb": {
            "cold_s": 100.0,
            "increment_s": 40.0,
            "peak_rss_mb": 1500.0,
            "bare_load_ratio": round(62.0 / 20.0, 2),
            "peer_ratio": 10.0,
            "validation_share": 0.25,
            "ingest_s": 73.5,
            "dlt_s": 25.0,
            "dlt_ratio": round(73.5 / 25.0, 2),
            "empty_run_s": 24.5,
            "linkage_s": 2.5,
            "linkage_precision": 0.9922,
            "linkage_recall": 0.9143,
        }
    }


def test_json_line_without_dlt_keeps_its_keys() -> None:
    line = summary(_measured(with_dlt=False))["duckdb"]
    assert line["dlt_s"] is None and line["dlt_ratio"] is None
    assert line["ingest_s"] == 73.5 and line["empty_run_s"] == 24.5


def test_doc_block_replaced_and_prose_kept(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text(
        f"# Performance\n\nProse before.\n\n{BEGIN}\nstale figures\n{END}\n\nProse after.\n"
    )
    block = render(_measured())
    write_block(doc, block)
    text = doc.read_text()
    assert "Prose before." in text and "Prose after." in text and "stale figures" not in text
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    # the targets table says what holds and what does not
    assert "| cold run | <= 90 s | 100 (**not met**) |" in text
    assert "| daily increment | <= 45 s | 40 (met) |" in text
    assert "| CSV ingest / bare load | <= 2x | 3.1 (**not met**) |" in text
    assert "| cakupan ingest / dlt load | < 1x | 2.94 (**not met**) |" in text
    assert "| whole cold run / dlt load | - | - |" in text  # a PostgreSQL target only
    assert "| peak memory | <= 2048 MB | 1500 (met) |" in text
    assert "1x: 1,000 MB, 4x: 1,100 MB (met)" in text
    assert "| 16 | 120.0 | 150.0 | 1,100 |" in text
    assert "core/050_poverty_latest 5.0, core/065_probable_match 2.5," in text
    assert (
        "Probable matches, day 1 (`core/065_probable_match`, 2.5 s of the cold snapshot): at "
        "linkage.min_probability 0.95, precision 0.9922 and recall 0.9143 of 1,400 injected "
        "NIK typos (1,280 right of 1,290 links; 2 of 1,300 look-alikes linked)."
    ) in text
    # cakupan, dlt, pandas and the bare load side by side, a column per engine
    assert "| day 1's files into the warehouse | duckdb |" in text
    assert "| cakupan: ingest of the three sources" in text and "| 73.5 s |" in text
    assert "| cakupan: of which the two CSV sources | 62.0 s |" in text
    assert "| cakupan: whole cold run (Airflow, snapshot and report included) | 100.0 s |" in text
    assert "| dlt 1.31.0: every file, no checks" in text
    assert "| 25.0 s (`pipeline.run` 22.0 s) |" in text
    assert "| 1000 s (read 30 s, to_sql 970 s) |" in text
    assert "| bare load: the CSVs as text (`read_csv` / `COPY`) | 20.0 s |" in text
    assert "| cakupan ingest / dlt | 2.94x |" in text
    assert "| cakupan CSV ingest / bare load | 3.1x |" in text
    assert "| pandas / cakupan cold run | 10.0x |" in text
    assert "dlt[duckdb,postgres]==1.31.0, pyarrow==26.0.1; reused)." in text
    # the empty run's fixed cost, on a line of its own
    empty = [line for line in text.splitlines() if line.startswith("Fixed cost of an empty")]
    assert len(empty) == 1 and empty[0].endswith(": duckdb 24.5 s (first 27.0 s).")
    write_block(doc, block)  # idempotent
    assert doc.read_text() == text


def test_doc_block_without_dlt() -> None:
    block = render(_measured(with_dlt=False))
    assert "| dlt: every file, no checks" in block and "| not run |" in block
    assert "| cakupan ingest / dlt | - |" in block
    assert "virtualenv of its own" not in block


def test_targets_differ_per_engine() -> None:
    from cakupan_dev.bench.performance import TARGETS

    by_name = {t.name: t for t in TARGETS}
    head = {"cold_s": 100.0, "dlt_s": 105.0, "increment_s": 50.0}
    assert by_name["cold run"].status(head, "duckdb") == "100 (**not met**)"
    assert by_name["cold run"].status(head, "postgresql") == "100 (met)"
    assert by_name["daily increment"].status(head, "postgresql") == "50 (met)"
    assert by_name["whole cold run / dlt load"].goal("postgresql") == "< 1x"
    assert by_name["whole cold run / dlt load"].status(head, "postgresql") == "0.95 (met)"
    assert by_name["whole cold run / dlt load"].status(
        {"cold_s": 1, "dlt_s": None}, "postgresql"
    ) == ("not measured")
