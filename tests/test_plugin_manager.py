"""Airflow's plugin manager, loading plugins/ as the scheduler and API server do, imports
nothing of cakupan as a top-level module (issue 13): ``plugins/.airflowignore`` keeps the
package out of its file-by-file scan, and tasks import it as ``cakupan.*``. The one module
it loads from the folder is ``cakupan_plugin`` (issue 14: the report in Airflow's UI)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from cakupan.paths import PROJECT_ROOT

# Loads the plugins in a fresh interpreter (the plugin manager caches per process) and
# prints the modules that came from files under the plugins folder, by the name each got.
PROBE = """
import json, sys
from pathlib import Path
from airflow import plugins_manager, settings
plugins, errors = plugins_manager._get_plugins()
folder = Path(settings.PLUGINS_FOLDER).resolve()
loaded = sorted(
    name for name, module in list(sys.modules.items())
    if getattr(module, "__file__", None) and folder in Path(module.__file__).resolve().parents
)
print(json.dumps({
    "modules": loaded,
    "errors": sorted(errors),
    "api_security_imported": "airflow.api_fastapi.core_api.security" in sys.modules,
    "plugins": {
        p.name: {
            "fastapi_apps": [a["url_prefix"] for a in p.fastapi_apps],
            "external_views": sorted((v["destination"], v["href"]) for v in p.external_views),
        }
        for p in plugins
    },
}))
"""


def _load_plugins(folder: Path, home: Path) -> dict[str, list[str]]:
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(folder),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "PYTHONPATH": "",  # cakupan is found as the installed package, not through plugins/
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_plugin_manager_loads_the_cakupan_plugin_and_nothing_else_top_level(
    tmp_path: Path,
) -> None:
    found = _load_plugins(PROJECT_ROOT / "plugins", tmp_path)
    assert found["errors"] == []
    # cakupan's own modules come in as the package (cakupan.webui and what it imports)
    assert [m for m in found["modules"] if m.split(".")[0] != "cakupan"] == ["cakupan_plugin"]
    assert found["plugins"] == {
        "cakupan": {
            "fastapi_apps": ["/cakupan"],
            "external_views": [
                ["dag_run", "cakupan/runs/{DAG_ID}/{RUN_ID}"],
                ["nav", "cakupan/reports/index.html"],
            ],
        }
    }
    # the API's security module is imported by the app's routes when called, not by the
    # plugin manager that the scheduler and workers run too
    assert "cakupan.webui" in found["modules"]
    assert found["api_security_imported"] is False


def test_without_the_ignore_file_the_package_would_be_imported_file_by_file(
    tmp_path: Path,
) -> None:
    """The probe sees what the ignore file prevents: the same tree without it."""
    folder = tmp_path / "plugins"
    shutil.copytree(
        PROJECT_ROOT / "plugins",
        folder,
        ignore=shutil.ignore_patterns(".airflowignore", "__pycache__", "*.egg-info"),
    )
    found = _load_plugins(folder, tmp_path / "home")
    assert {"settings", "ingest", "pipeline"} <= set(found["modules"])
