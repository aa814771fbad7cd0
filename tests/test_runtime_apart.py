"""What production runs is apart from the development tooling (issue 13).

The runtime is ``plugins/cakupan`` (tasks, DAG files, operational commands) installed from
``requirements.lock``; the generator, the benchmark and the demo are ``devtools/cakupan_dev``
installed with ``requirements-dev.lock`` by ``make setup``. The Docker image gets the
runtime only.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

from cakupan.paths import PROJECT_ROOT

DEV_TOOLS = ("pytest", "pytest-xdist", "hypothesis", "ruff", "pyinstrument", "aiosmtpd", "xlwt")


def _pins(name: str) -> dict[str, str]:
    text = (PROJECT_ROOT / name).read_text(encoding="utf-8")
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)", text, re.M))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_runtime_never_imports_the_development_package() -> None:
    files = [*(PROJECT_ROOT / "plugins").rglob("*.py"), *(PROJECT_ROOT / "dags").rglob("*.py")]
    assert files
    offenders = {
        str(path.relative_to(PROJECT_ROOT)): sorted(
            n for n in _imports(path) if n.split(".")[0] == "cakupan_dev"
        )
        for path in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_tooling_lives_outside_the_runtime_package() -> None:
    runtime = PROJECT_ROOT / "plugins" / "cakupan"
    assert not (runtime / "generate").exists()
    assert not (runtime / "bench").exists()
    assert (PROJECT_ROOT / "devtools" / "cakupan_dev" / "generate").is_dir()
    assert (PROJECT_ROOT / "devtools" / "cakupan_dev" / "bench").is_dir()


def test_runtime_lock_has_no_development_tools_and_agrees_with_the_dev_lock() -> None:
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    assert not set(DEV_TOOLS) & set(runtime)
    assert set(DEV_TOOLS) <= set(dev)
    assert {name: dev.get(name) for name in runtime} == runtime


def test_the_image_installs_the_runtime_only() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "requirements.lock" in dockerfile
    assert "requirements-dev" not in dockerfile
    assert "devtools" not in dockerfile
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    mounts = [
        volume
        for service in compose["services"].values()
        for volume in service.get("volumes", [])
        if isinstance(volume, str)
    ]
    mounts += compose["x-airflow-common"].get("volumes", [])
    assert not [m for m in mounts if "devtools" in m]
