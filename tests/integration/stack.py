"""The docker-compose stack as real processes: the same environment, commands and init.

No Docker engine runs here, so the integration test starts what the compose services start
(``airflow api-server``, ``scheduler``, ``dag-processor``, ``triggerer`` and two ``celery
worker``\\ s) on this machine. Their environment is read from docker-compose.yml's
``x-airflow-common`` block; only what differs between a container network and one host is
replaced (host names, ports, the database users of the local server), and ``/opt/airflow``
becomes a temporary folder laid out like the image: dags/, plugins/, include/ and
expectations/ link to the project, data/, logs/ and config/ are fresh.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import httpx
import yaml

from cakupan.paths import PROJECT_ROOT
from tests.servers import free_port

BIN = Path(sys.executable).parent
AIRFLOW = str(BIN / "airflow")
IMAGE_HOME = "/opt/airflow"
PROJECT_MOUNTS = ("dags", "plugins", "include", "expectations")

# What the compose file leaves to .env: values a deployment chooses (test values here).
TEST_DOTENV = {
    "AIRFLOW_DB_PASSWORD": "unused-trust-auth",
    "WAREHOUSE_PASSWORD": "unused-trust-auth",
    "AIRFLOW_FERNET_KEY": "hQ9V1bJ0d5m4YbN1U8Gx5Yt3Zt1fJwqQ2v6oV8y8o3c=",
    "AIRFLOW_JWT_SECRET": "integration-test-jwt-secret-0123456789",
    "AIRFLOW_ADMIN_PASSWORD": "integration-admin",
}

_REFERENCE = re.compile(r"\$\{(\w+)(?::([?-])([^}]*))?\}")


def interpolate(value: str, values: dict[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}``, as compose does."""

    def one(match: re.Match[str]) -> str:
        name, kind, rest = match.groups()
        found = values.get(name, "")
        if found:
            return found
        if kind == "?":
            raise KeyError(f"{name}: {rest}")
        return rest if kind == "-" else ""

    return _REFERENCE.sub(one, value)


def compose_file() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@dataclass
class Stack:
    """One deployment on this host: its folder, databases, ports and processes."""

    root: Path
    metadata_url: str  # postgresql+psycopg URL of an empty database for Airflow
    warehouse_url: str  # postgresql+psycopg URL of an empty database for the warehouse
    redis_db: int
    extra_env: dict[str, str] = field(default_factory=dict)
    api_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def home(self) -> Path:
        return self.root / "opt-airflow"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def log_path(self, name: str) -> Path:
        return self.root / "process-logs" / f"{name}.log"

    def layout(self) -> None:
        """The image's /opt/airflow: project folders linked, run-time folders fresh."""
        self.home.mkdir(parents=True)
        for folder in PROJECT_MOUNTS:
            (self.home / folder).symlink_to(PROJECT_ROOT / folder, target_is_directory=True)
        for folder in ("data/landing", "logs", "config"):
            (self.home / folder).mkdir(parents=True)
        self.log_path("x").parent.mkdir()

    @cached_property
    def environment(self) -> dict[str, str]:
        """x-airflow-common's environment, re-pointed from the compose network to this host."""
        common = compose_file()["x-airflow-common"]["environment"]
        env = {
            key: interpolate(str(value), TEST_DOTENV).replace(IMAGE_HOME, str(self.home))
            for key, value in common.items()
        }
        local = {
            # container host names -> this host's services (trust auth, no passwords)
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.metadata_url,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": self.metadata_url,
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + self.metadata_url,
            "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:6379/{self.redis_db}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.api}/execution/",
            "CAKUPAN_WAREHOUSE_URL": self.warehouse_url,
        }
        for key in local:
            assert key in env, f"docker-compose.yml no longer sets {key}"
        env.update(local)
        env.update(
            {
                # one host instead of one container per service: distinct ports, one
                # api-server worker, the image's AIRFLOW_HOME and PATH
                "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__PORT": str(self.api_port),
                "AIRFLOW__API__WORKERS": "1",
                "AIRFLOW__API__BASE_URL": self.api,
                "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(free_port()),
                "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
                "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
                "CAKUPAN_PYTHON": sys.executable,
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        return {**{k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}, **env}

    def init(self) -> None:
        """What the airflow-init service runs: the same script."""
        command = compose_file()["services"]["airflow-init"]["command"]
        script = command[0].replace(IMAGE_HOME, str(self.home))
        with open(self.log_path("airflow-init"), "w") as log:
            done = subprocess.run(
                ["bash", script],
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=600,
            )
        assert done.returncode == 0, self.tail("airflow-init")

    def start(self, name: str, args: list[str], **env: str) -> None:
        log = open(self.log_path(name), "w")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(
            [AIRFLOW, *args],
            env={**self.environment, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.home,
            start_new_session=True,
        )

    def start_services(self, workers: int = 2) -> None:
        """api-server, scheduler, dag-processor, triggerer and ``workers`` Celery workers."""
        services = compose_file()["services"]
        for name in (
            "airflow-apiserver",
            "airflow-scheduler",
            "airflow-dag-processor",
            "airflow-triggerer",
        ):
            self.start(name, services[name]["command"].split())
        worker = services["airflow-worker"]
        for n in range(1, workers + 1):
            # a compose replica per worker: its own node name and log-server port
            self.start(
                f"airflow-worker-{n}",
                [
                    *worker["command"].split(),
                    "--celery-hostname",
                    f"worker{n}@%h",
                    "--concurrency",
                    "1",
                ],
                **{k: str(v) for k, v in worker["environment"].items() if k == "DUMB_INIT_SETSID"},
                AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()),
            )

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode}\n{self.tail(name)}")

    def wait_healthy(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                health = httpx.get(f"{self.api}/api/v2/monitor/health", timeout=5).json()
                if health["metadatabase"]["status"] == "healthy" and (
                    health["scheduler"]["status"] == "healthy"
                ):
                    return
            except (httpx.HTTPError, KeyError, ValueError):
                pass
            time.sleep(2)
        raise AssertionError("the stack did not become healthy\n" + self.tails())

    def tail(self, name: str, lines: int = 60) -> str:
        path = self.log_path(name)
        text = path.read_text(errors="replace").splitlines() if path.exists() else []
        return f"--- {name} ---\n" + "\n".join(text[-lines:])

    def tails(self) -> str:
        return "\n".join(self.tail(name) for name in self.processes)

    def stop(self) -> None:
        """SIGTERM every process group, then SIGKILL what is left after 30 s."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


class Api:
    """The REST API (/api/v2) with a token from the simple auth manager."""

    def __init__(self, base: str, username: str, password: str) -> None:
        token = httpx.post(
            f"{base}/auth/token", json={"username": username, "password": password}, timeout=30
        )
        token.raise_for_status()
        # the JWT the UI's login page stores in its ``_token`` cookie
        self.token: str = token.json()["access_token"]
        self.client = httpx.Client(
            base_url=f"{base}/api/v2",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )

    def get(self, path: str, **params) -> dict:
        response = self.client.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def send(self, method: str, path: str, body: dict) -> dict:
        response = self.client.request(method, path, json=body)
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    def dag_runs(self, dag_id: str) -> list[dict]:
        return self.get(f"/dags/{dag_id}/dagRuns", limit=100)["dag_runs"]
