"""Odd file names and odd things in the landing folder (CONTRACT §2: files are only read).

``cakupan.landing.scan`` must keep every name relative to its source folder and never reach
outside it: no symlink is followed, whatever it points at, and nothing that is not a regular
file (a FIFO would block a reader forever) is listed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cakupan.landing import LandingFile, scan
from cakupan.settings import load_settings
from tests.ingested import ingest
from tests.unit.hostile_corpus import HEADER, ODD_NAMES, RECEIVED, csv_text, person

SOURCE = "village_submissions"


def _csv(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(csv_text([HEADER, person(1)]), encoding="utf-8")
    return path


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """A landing folder with odd names inside, and files outside it that links point at."""
    root = tmp_path / "landing"
    folder = root / SOURCE
    for name in ODD_NAMES.values():
        _csv(folder / name)
    _csv(folder / "Desa Talang Akar" / "usulan juni.csv")
    _csv(folder / "a..b" / "..c.csv.d" / "x.csv")

    outside = tmp_path / "rahasia"
    _csv(outside / "passwd.csv")
    _csv(root / "member_exports" / "other-source.csv")
    (folder / "link-to-file.csv").symlink_to(outside / "passwd.csv")
    (folder / "link-to-dir").symlink_to(outside, target_is_directory=True)
    (folder / "link-up").symlink_to("..", target_is_directory=True)
    (folder / "link-to-sibling.csv").symlink_to(folder / ODD_NAMES["latin"])
    (folder / "broken.csv").symlink_to(tmp_path / "nowhere.csv")
    os.mkfifo(folder / "pipe.csv")
    _csv(folder / "~$usulan.xlsx")
    _csv(folder / ".~lock.usulan.xlsx#")
    return root


def test_scan_lists_regular_files_by_relative_name(landing: Path) -> None:
    """Every file is listed, odd names included ("..\\..\\x.csv" is just a name on POSIX);
    only office lock files and OS litter are passed over (docs/decisions.md)."""
    files = scan(landing, SOURCE)
    nested = ["Desa Talang Akar/usulan juni.csv", "a..b/..c.csv.d/x.csv"]
    visible = list(ODD_NAMES.values())
    assert ODD_NAMES["backslash-dots"] in visible
    assert sorted(f.name for f in files) == sorted([*visible, *nested])
    assert [f.name for f in scan(landing, SOURCE)] == [f.name for f in files]  # stable order


def test_scan_never_leaves_the_source_folder(landing: Path) -> None:
    folder = (landing / SOURCE).resolve()
    for f in scan(landing, SOURCE):
        assert not Path(f.name).is_absolute()
        assert ".." not in Path(f.name).parts
        assert f.path.resolve().is_relative_to(folder)
        assert not f.path.is_symlink()
        assert f.path == landing / SOURCE / f.name
        assert f.source == SOURCE


def test_scan_of_a_missing_source_folder_is_empty(tmp_path: Path) -> None:
    assert scan(tmp_path, SOURCE) == []


def test_odd_names_survive_ingest(landing: Path) -> None:
    files = scan(landing, SOURCE)
    items = ingest(files, RECEIVED, load_settings(), landing.parent / "wh")
    for lf, item in zip(files, items, strict=True):
        assert item.result.status == "loaded", (lf.name, item.result.error)
        loaded, _ = item.tables
        assert loaded.column("file_name").to_pylist() == [lf.name]
        assert loaded.column("row_number").to_pylist() == [2]


def test_name_that_is_not_utf8(tmp_path: Path) -> None:
    """A zip unpacked on Windows can leave a Windows-1252 byte in a name ("Désa" as 0xE9)."""
    folder = tmp_path / SOURCE
    folder.mkdir()
    raw = os.fsencode(folder) + b"/Usulan D\xe9sa.csv"
    with open(raw, "wb") as fh:
        fh.write(csv_text([HEADER, person(1)]).encode())
    [lf] = scan(tmp_path, SOURCE)
    [item] = ingest([lf], RECEIVED, load_settings(), tmp_path / "wh")
    assert item.result.status == "loaded"
    assert item.result.file_name == "Usulan Désa.csv"
    item.result.file_name.encode("utf-8")


def test_a_file_path_is_opened_as_given_not_reinterpreted(tmp_path: Path) -> None:
    """A name made of dots and backslashes is just a name on POSIX: the file itself is read."""
    folder = tmp_path / SOURCE
    path = _csv(folder / "..\\..\\x.csv")
    [item] = ingest(
        [LandingFile(SOURCE, path.name, "0" * 64, path)], RECEIVED, load_settings(), tmp_path / "wh"
    )
    assert item.result.status == "loaded"
    assert not (tmp_path.parent / "x.csv").exists()
