"""How the benchmark turns task timings into its figures, its JSON line and the doc block."""

from __future__ import annotations

import json
from pathlib import Path

from cakupan.bench.harness import EngineResult, Run
from cakupan.bench.performance import BEGIN, END, render, summary, write_block


def _run(wall: float, rss: float, scale: float = 1.0) -> Run:
    tasks = [
        {"stage": "discover", "wall_s": 1.0, "phases_s": {}, "source": "village_submissions"},
        {
            "stage": "load",
            "wall_s": 10.0 * scale,
            "phases_s": {"validate": 2.0 * scale, "rules": 0.5 * scale, "read": 6.0 * scale},
            "source": "village_submissions",
        },
        {"stage": "reconcile", "wall_s": 0.5, "phases_s": {}, "sources": ["village_submissions"]},
        {"stage": "discover", "wall_s": 0.5, "phases_s": {}, "source": "poverty_lists"},
        {
            "stage": "load",
            "wall_s": 40.0 * scale,
            "phases_s": {"validate": 8.0 * scale, "rules": 2.0 * scale, "write": 10.0 * scale},
            "source": "poverty_lists",
        },
        {"stage": "reconcile", "wall_s": 1.5, "phases_s": {}, "sources": ["poverty_lists"]},
        {
            "stage": "load",
            "wall_s": 20.0,
            "phases_s": {"validate": 3.0},
            "source": "member_exports",
        },
        {
            "stage": "snapshot",
            "wall_s": 8.0,
            "phases_s": {"core/010_proposed_worker": 1.0, "core/050_poverty_latest": 5.0},
            "as_of": "2025-07-01",
        },
    ]
    return Run(wall_s=wall, peak_rss_mb=rss, tasks=tasks)


def _measured() -> dict:
    result = EngineResult(
        engine="duckdb",
        cold=_run(100.0, 1500.0),
        increment=_run(40.0, 1200.0, scale=0.1),
        bare={"seconds": 20.0, "rows": 5_500_000},
        peer={"seconds": 1000.0, "rows": 5_785_000, "read_s": 30.0, "write_s": 970.0},
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
        }
    }


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
    assert "| cold run | <= 180 s | 100.0 (met) |" in text
    assert "| CSV ingest / bare load | <= 3x | 3.1 (**not met**) |" in text
    assert "1x: 1,000 MB, 4x: 1,100 MB (met)" in text
    assert "| 16 | 120.0 | 150.0 | 1,100 |" in text
    assert "core/050_poverty_latest 5.0, core/010_proposed_worker 1.0 /" in text
    write_block(doc, block)  # idempotent
    assert doc.read_text() == text
