"""Static checks of docker-compose.yml, the Dockerfile and .env.example.

No Docker engine runs here: these read the files. tests/integration/test_stack.py runs the
same environment and commands as real processes.
"""

from __future__ import annotations

import os
import re
import tomllib

import pytest
import yaml

from cakupan.paths import PROJECT_ROOT

AIRFLOW_SERVICES = (
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
)
LONG_RUNNING = (*AIRFLOW_SERVICES, "postgres", "warehouse", "redis")
PROJECT_MOUNTS = ("dags", "plugins", "include", "expectations")
SECRET_WORDS = ("PASSWORD", "SECRET", "FERNET", "TOKEN", "KEY")


def _text(name: str) -> str:
    return (PROJECT_ROOT / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(_text("docker-compose.yml"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def _locked(package: str) -> str:
    found = re.search(rf"^{re.escape(package)}==([^\s\\]+)", _text("requirements.lock"), re.M)
    assert found, f"{package} is not pinned in requirements.lock"
    return found.group(1)


def _dockerfile_arg(name: str) -> str:
    found = re.search(rf"^ARG {name}=(\S+)$", _text("Dockerfile"), re.M)
    assert found, f"Dockerfile has no ARG {name}"
    return found.group(1)


def test_every_service_of_the_official_layout_is_there(services):
    expected = {*AIRFLOW_SERVICES, "airflow-init", "postgres", "warehouse", "redis"}
    assert expected <= set(services)


def test_airflow_services_share_the_common_anchor(compose, services):
    common = compose["x-airflow-common"]
    for name in (*AIRFLOW_SERVICES, "airflow-init"):
        service = services[name]
        assert service["image"] == common["image"], name
        assert service["build"] == common["build"], name
        env = service["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:"), name
        assert "@postgres:5432/airflow" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], name
        assert "@warehouse:5432/cakupan" in env["CAKUPAN_WAREHOUSE_URL"], name


def test_commands_start_the_airflow_3_components(services):
    assert services["airflow-apiserver"]["command"] == "api-server"
    assert services["airflow-scheduler"]["command"] == "scheduler"
    assert services["airflow-dag-processor"]["command"] == "dag-processor"
    assert services["airflow-triggerer"]["command"] == "triggerer"
    assert services["airflow-worker"]["command"] == "celery worker"


def test_long_running_services_have_healthchecks(services):
    for name in LONG_RUNNING:
        check = services[name].get("healthcheck")
        assert check and check.get("test"), f"{name} has no healthcheck"
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    assert "pg_isready" in services["warehouse"]["healthcheck"]["test"]
    assert "/api/v2/monitor/health" in " ".join(
        services["airflow-apiserver"]["healthcheck"]["test"]
    )
    assert "inspect ping" in " ".join(services["airflow-worker"]["healthcheck"]["test"])


def test_depends_on_waits_for_healthy_backends_and_a_finished_init(services):
    for name in AIRFLOW_SERVICES:
        deps = services[name]["depends_on"]
        for backend in ("postgres", "redis", "warehouse"):
            assert deps[backend]["condition"] == "service_healthy", (name, backend)
        assert deps["airflow-init"]["condition"] == "service_completed_successfully", name
    assert services["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"] == (
        "service_healthy"
    ), "workers reach the Execution API of the api-server"


def test_volumes_cover_the_project_folders_and_the_shared_data(services):
    for name in (*AIRFLOW_SERVICES, "airflow-init"):
        plain = [re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", v) for v in services[name]["volumes"]]
        mounts = {v.split(":")[1]: v.split(":")[0] for v in plain}
        for folder in PROJECT_MOUNTS:
            assert mounts.get(f"/opt/airflow/{folder}") == f"./{folder}", (name, folder)
        assert "/opt/airflow/data" in mounts, f"{name}: workers share landing and work files"


def test_worker_scales(services):
    worker = services["airflow-worker"]
    assert "container_name" not in worker, "a fixed name prevents --scale airflow-worker=N"
    assert "ports" not in worker, "a host port prevents --scale airflow-worker=N"


def test_image_and_lock_versions_agree(compose):
    airflow = _locked("apache-airflow")
    assert _dockerfile_arg("AIRFLOW_VERSION") == airflow
    args = compose["x-airflow-common"]["build"]["args"]
    assert args["AIRFLOW_VERSION"] == airflow
    assert compose["x-airflow-common"]["image"].endswith(f":{airflow}}}") or compose[
        "x-airflow-common"
    ]["image"].endswith(airflow)
    python = _dockerfile_arg("PYTHON_VERSION")
    assert args["PYTHON_VERSION"] == python == "3.11"
    requires = tomllib.loads(_text("pyproject.toml"))["project"]["requires-python"]
    assert "3.11" in requires
    dockerfile = _text("Dockerfile")
    assert "FROM apache/airflow:${AIRFLOW_VERSION}-python${PYTHON_VERSION}" in dockerfile
    assert "--require-hashes -r /opt/airflow/requirements.lock" in dockerfile


def _variables(text: str) -> dict[str, str]:
    """``${NAME...}`` references of a compose file: name -> the modifier (``:?``, ``:-``)."""
    return {m.group(1): m.group(2) for m in re.finditer(r"\$\{(\w+)(:[?-])?", text)}


def test_no_secret_is_committed(compose):
    text = _text("docker-compose.yml")
    for block in [compose["x-airflow-common"]["environment"]] + [
        s.get("environment") or {} for s in compose["services"].values()
    ]:
        for key, value in block.items():
            if any(word in key for word in SECRET_WORDS) and not key.endswith("_FILE"):
                assert "${" in str(value), f"{key} must come from .env, not the file"
    for word in ("change-me", "airflow:airflow@"):
        assert word not in text
    assert ".env" in _text(".gitignore").splitlines()
    assert ".env" in _text(".dockerignore").splitlines()


def test_env_example_names_every_required_variable_and_holds_no_secret():
    example = {}
    for line in _text(".env.example").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            example[key.strip()] = value.strip()
    for name, modifier in _variables(_text("docker-compose.yml")).items():
        if modifier == ":?":
            assert name in example, f"{name} is required by docker-compose.yml"
    for key, value in example.items():
        if any(word in key for word in SECRET_WORDS) and not key.startswith("CAKUPAN_ALERT"):
            assert value == "", f".env.example must not carry a value for {key}"


def test_init_runs_the_shared_script():
    init = yaml.safe_load(_text("docker-compose.yml"))["services"]["airflow-init"]
    script = PROJECT_ROOT / "include" / "deploy" / "airflow-init.sh"
    assert init["command"] == ["/opt/airflow/include/deploy/airflow-init.sh"]
    assert script.is_file() and os.access(script, os.X_OK)
    body = script.read_text(encoding="utf-8")
    for step in ("airflow db migrate", "airflow pools set", "cakupan.warehouse.roles"):
        assert step in body
