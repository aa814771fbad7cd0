"""The batch manifest: planning is pure, and what discover writes load and reconcile read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cakupan.batches import Batch, plan
from cakupan.landing import LandingFile

SOURCE = "village_submissions"


def _file(name: str, sha: str, landing: Path = Path("/landing")) -> LandingFile:
    return LandingFile(SOURCE, name, sha, landing / SOURCE / name)


def test_plan_keeps_same_content_together_and_orders_by_name() -> None:
    a, b, c = _file("b.xlsx", "1"), _file("a.xlsx", "2"), _file("z.xlsx", "1")
    batches = plan([(a, 10), (b, 10), (c, 10)], max_files=1)
    assert [[f.name for f in batch] for batch in batches] == [["a.xlsx"], ["b.xlsx", "z.xlsx"]]


def test_plan_closes_a_batch_at_its_file_count_or_size() -> None:
    files = [(_file(f"{i:02d}.xlsx", str(i)), 40) for i in range(5)]
    assert [len(b) for b in plan(files, max_files=2)] == [2, 2, 1]
    assert [len(b) for b in plan(files, max_bytes=100)] == [2, 2, 1]
    big = [(_file("big.csv", "x"), 1_000)]
    assert [len(b) for b in plan([*big, *files[:1]], max_bytes=100)] == [1, 1]


def test_plan_of_nothing_is_no_batch() -> None:
    assert plan([]) == []


def test_a_manifest_reads_back_as_written(tmp_path: Path) -> None:
    files = [_file("a.xlsx", "1", tmp_path), _file("sub/b.csv", "2", tmp_path)]
    batch = Batch.of(SOURCE, dt.date(2025, 7, 1), "run-1", tmp_path, files)
    batch.write(tmp_path / "batch.json")
    again = Batch.read(tmp_path / "batch.json")
    assert again == batch
    assert again.landing_files() == [
        LandingFile(SOURCE, f.name, f.sha256, (tmp_path / SOURCE).resolve() / f.name) for f in files
    ]


def test_a_manifest_naming_a_file_outside_the_landing_folder_is_refused(tmp_path: Path) -> None:
    batch = Batch.of(SOURCE, dt.date(2025, 7, 1), "run-1", tmp_path, [])
    forged = Batch(batch.source, batch.received_date, batch.run_id, tmp_path, ())
    forged.write(tmp_path / "batch.json")
    text = (
        (tmp_path / "batch.json")
        .read_text()
        .replace(
            '"files": []', '"files": [{"name": "x", "sha256": "0", "path": "../../etc/passwd"}]'
        )
    )
    (tmp_path / "batch.json").write_text(text)
    with pytest.raises(ValueError, match="outside the landing folder"):
        Batch.read(tmp_path / "batch.json").landing_files()
