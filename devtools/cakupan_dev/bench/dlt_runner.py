"""The dlt peer: what a data engineer would pick instead of cakupan, on the same day-1 files.

dlt never enters the product's environment. :func:`dlt_env` builds (once) a virtualenv of
its own from ``dlt_peer/requirements.txt``, keyed by that file's digest, so a changed pin
builds a new one. :func:`dlt_load` writes a JSON plan, runs ``dlt_peer/load.py`` in that
virtualenv as a child process into the bench's warehouse (scratch schema ``bench_dlt``,
dropped before and after), times it from outside and reads the rows back itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import Any

import sqlalchemy as sa

from cakupan.logs import get_logger
from cakupan.paths import PROJECT_ROOT
from cakupan_dev.bench.baselines import InputFile, drop_scratch, scratch_rows

log = get_logger(__name__)

PEER_DIR = Path(__file__).with_name("dlt_peer")
REQUIREMENTS = PEER_DIR / "requirements.txt"
# Where `make setup` builds it and the tests find it: one copy per pin set per checkout.
SHARED_ROOT = PROJECT_ROOT / "data" / "bench" / "venv"
SCRIPT = PEER_DIR / "load.py"
DLT_SCHEMA = "bench_dlt"
# dlt's telemetry would try the network on every run; its INFO logging is noise here.
DLT_ENVIRONMENT = {"RUNTIME__DLTHUB_TELEMETRY": "false", "RUNTIME__LOG_LEVEL": "WARNING"}
# How the packages are installed: bytecode compiled at install, as for the product's .venv,
# so that neither side of the comparison compiles its imports where PYTHONDONTWRITEBYTECODE
# is set. Part of the virtualenv's digest: a change of it builds a new one.
UV_INSTALL_FLAGS = ("--compile-bytecode",)


class DltFailed(RuntimeError):
    """The dlt virtualenv could not be built, or dlt's load failed or lost rows."""


@dataclass(frozen=True)
class DltEnv:
    """The dlt virtualenv: its interpreter, and seconds it took to build (None: reused)."""

    python: Path
    setup_s: float | None
    pins: tuple[str, ...]


def pins(requirements: Path = REQUIREMENTS) -> tuple[str, ...]:
    """The requirement lines of ``requirements`` (comments and blanks left out)."""
    lines = (
        line.split("#", 1)[0].strip()
        for line in requirements.read_text(encoding="utf-8").splitlines()
    )
    return tuple(line for line in lines if line)


def env_path(root: Path, requirements: Path = REQUIREMENTS) -> Path:
    """Where the virtualenv for ``requirements`` lives: ``root/dlt-<digest>`` of the file and
    the install flags."""
    digest = hashlib.sha256(requirements.read_bytes() + " ".join(UV_INSTALL_FLAGS).encode())
    return root / f"dlt-{digest.hexdigest()[:12]}"


def built_env(root: Path, requirements: Path = REQUIREMENTS) -> DltEnv | None:
    """The virtualenv for ``requirements`` under ``root`` if it was built, else None."""
    target = env_path(root, requirements)
    python = target / "bin" / "python"
    if (target / ".installed").is_file() and python.exists():
        return DltEnv(python=python, setup_s=None, pins=pins(requirements))
    return None


def dlt_env(root: Path, requirements: Path = REQUIREMENTS) -> DltEnv:
    """The virtualenv ``root/dlt-<digest>``, built from ``requirements`` unless already there.

    Built with the interpreter running the bench (the product's Python 3.11) and installed
    with uv when it sits beside it (``make setup`` puts it there), else pip. The first
    build needs the package index; a build that fails leaves nothing to be reused.
    """
    built = built_env(root, requirements)
    if built is not None:
        return built
    target = env_path(root, requirements)
    python = target / "bin" / "python"
    wanted = pins(requirements)
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    uv = Path(sys.executable).with_name("uv")
    install = (
        [str(uv), "pip", "install", "--quiet", *UV_INSTALL_FLAGS, "--python", str(python)]
        if uv.exists()
        else [str(python), "-m", "pip", "install", "--quiet"]
    )
    install += ["-r", str(requirements)]
    began = perf_counter()
    build_log = target.with_name(f"{target.name}-build.log")
    with build_log.open("wb") as out:
        for command in ([sys.executable, "-m", "venv", str(target)], install):
            if subprocess.run(command, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
                shutil.rmtree(target, ignore_errors=True)
                raise DltFailed(
                    f"could not build the dlt virtualenv ({' '.join(command[:3])} failed; the "
                    f"first build needs the package index); see {build_log}"
                )
    (target / ".installed").write_text("\n".join(wanted) + "\n", encoding="utf-8")
    setup_s = perf_counter() - began
    log.info("bench_dlt_env_built", path=str(target), seconds=round(setup_s, 1))
    return DltEnv(python=python, setup_s=setup_s, pins=wanted)


def destination(url: str) -> tuple[str, str]:
    """dlt's destination name and credentials for a warehouse URL (SQLAlchemy form).

    dlt's PostgreSQL credentials insist on a password: a URL without one gets an empty one,
    which trust (or peer) authentication ignores as psycopg does.
    """
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "duckdb":
        if not parsed.database or parsed.database == ":memory:":
            raise ValueError("the dlt peer needs a DuckDB file, not an in-memory database")
        return "duckdb", str(Path(parsed.database).resolve())
    if parsed.get_backend_name() == "postgresql":
        plain = parsed.set(drivername="postgresql", password=parsed.password or "")
        return "postgres", plain.render_as_string(hide_password=False)
    raise ValueError(f"no dlt destination for {parsed.get_backend_name()!r}")


def plan(url: str, files: list[InputFile], workdir: Path) -> dict[str, Any]:
    """What ``load.py`` is handed: destination, scratch dataset and the files per table."""
    kind, credentials = destination(url)
    return {
        "destination": kind,
        "credentials": credentials,
        "dataset": DLT_SCHEMA,
        "pipelines_dir": str(workdir / "pipelines"),
        "files": [
            {
                "table": f.source,
                "path": str(Path(f.path).resolve()),
                "kind": f.kind,
                "delimiter": f.delimiter,
                "encoding": f.encoding,
            }
            for f in files
        ],
    }


def dlt_load(
    url: str, files: list[InputFile], env: DltEnv, workdir: Path, *, keep: bool = False
) -> dict[str, Any]:
    """dlt's load of ``files`` into the warehouse at ``url``, timed from outside.

    Returns ``seconds`` (the child's wall time: interpreter, dlt's import and its
    ``pipeline.run``; not the virtualenv's build), ``rows`` read back from ``bench_dlt``,
    and what the child reported (``import_s``, ``run_s``, ``dlt_version``,
    ``loader_file_format``). The warehouse must not be open elsewhere (DuckDB's file lock).
    """
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    drop_scratch(url, DLT_SCHEMA)
    plan_file = workdir / "plan.json"
    plan_file.write_text(json.dumps(plan(url, files, workdir), indent=1), encoding="utf-8")
    child_log = workdir / "load.log"
    command = [str(env.python), "-I", str(SCRIPT), str(plan_file)]
    try:
        began = perf_counter()
        with child_log.open("wb") as err:
            done = subprocess.run(
                command,
                cwd=workdir,
                env={**os.environ, **DLT_ENVIRONMENT},
                stdout=subprocess.PIPE,
                stderr=err,
            )
        seconds = perf_counter() - began
        if done.returncode != 0:
            raise DltFailed(f"dlt's load exited {done.returncode}; see {child_log}")
        reported = json.loads(done.stdout.decode("utf-8").strip().splitlines()[-1])
        rows = scratch_rows(url, DLT_SCHEMA, sorted({f.source for f in files}))
    finally:
        if not keep:
            drop_scratch(url, DLT_SCHEMA)
    log.info("bench_dlt_loaded", files=len(files), rows=rows, seconds=round(seconds, 3))
    return {"seconds": seconds, "rows": rows, **reported}
