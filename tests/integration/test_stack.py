"""The production stack for real: Celery workers, scheduler, dag-processor, api-server.

Fresh PostgreSQL databases for Airflow's metadata and for the warehouse, the local Redis as
broker, the compose file's environment and init script (tests/integration/stack.py). The
DAGs are unpaused and triggered through the REST API, the asset-triggered coverage DAG is
awaited, and the marts are compared with the generator's truth (tests/e2e/oracle.py).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import sqlalchemy as sa

from cakupan_dev.generate import generate_scenario
from tests.conftest import pg_database
from tests.e2e.oracle import Oracle, check_against_truth
from tests.integration.stack import TEST_DOTENV, Api, Stack
from tests.report.htmltools import open_url
from tests.runs import rows
from tests.servers import serve_webhook

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("stack")]

INGEST = (
    "cakupan_ingest_village_submissions",
    "cakupan_ingest_poverty_lists",
    "cakupan_ingest_member_exports",
)
COVERAGE = "cakupan_coverage"
TERMINAL = {"success", "failed"}


@pytest.fixture(scope="module")
def webhook():
    with serve_webhook() as box:
        yield box


@pytest.fixture(scope="module")
def stack(tmp_path_factory, webhook):
    root = tmp_path_factory.mktemp("stack")
    # A deadline before the 06:30 run: today's scheduled coverage run has always missed it,
    # so the alert path (scheduler -> triggerer -> webhook) is checked at any time of day.
    settings = root / "settings.yaml"
    settings.write_text('alerts:\n  snapshot_deadline: "06:00"\n', encoding="utf-8")
    with pg_database() as metadata, pg_database() as warehouse:
        stack = Stack(
            root=root,
            metadata_url=metadata,
            warehouse_url=warehouse,
            redis_db=int(time.time()) % 14 + 1,
            extra_env={
                "CAKUPAN_ALERT_CHANNEL": "webhook",
                "CAKUPAN_ALERT_WEBHOOK_URL": webhook.url,
                "CAKUPAN_SETTINGS": str(settings),
            },
        )
        stack.layout()
        stack.init()
        stack.start_services(workers=2)
        try:
            stack.wait_healthy()
            yield stack
        finally:
            stack.stop()


def wait_for(what: str, check, stack: Stack, timeout: float = 600):
    """Poll ``check`` until it returns a truthy value; fail with the processes' logs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.check_alive()
        result = check()
        if result:
            return result
        time.sleep(3)
    raise AssertionError(f"timed out waiting for {what}\n{stack.tails()}")


def settled(api: Api, dag_id: str, at_least: int = 1) -> list[dict] | None:
    runs = api.dag_runs(dag_id)
    if len(runs) >= at_least and all(r["state"] in TERMINAL for r in runs):
        return runs
    return None


def coverage_settled(api: Api) -> list[dict] | None:
    """Coverage runs all finished, an asset-triggered one among them, no event waiting."""
    queued = api.get(f"/dags/{COVERAGE}/assets/queuedEvents")["queued_events"]
    runs = settled(api, COVERAGE)
    if queued or not runs or not any(r["run_type"] == "asset_triggered" for r in runs):
        return None
    return runs


def failed_logs(api: Api, stack: Stack, dag_id: str, runs: list[dict]) -> str:
    lines = []
    for run in runs:
        for ti in api.get(f"/dags/{dag_id}/dagRuns/{run['dag_run_id']}/taskInstances")[
            "task_instances"
        ]:
            if ti["state"] not in ("success", "skipped"):
                lines.append(f"{dag_id} {run['dag_run_id']} {ti['task_id']}: {ti['state']}")
    logs = sorted((stack.home / "logs").rglob("*.log"))
    tails = [p.read_text(errors="replace")[-3000:] for p in logs if "attempt" in p.name][-6:]
    return "\n".join(lines + tails)


def check_report_in_airflow(stack: Stack, api: Api, day: dt.date, tmp: Path) -> None:
    """The cakupan plugin: a "Coverage report" link in the nav and on every DAG run, the
    report served at /cakupan to logged-in users only, opened in Chromium from a run."""
    [plugin] = [p for p in api.get("/plugins")["plugins"] if p["name"] == "cakupan"]
    assert {(v["destination"], v["href"]) for v in plugin["external_views"]} == {
        ("nav", "cakupan/reports/index.html"),
        ("dag_run", "cakupan/runs/{DAG_ID}/{RUN_ID}"),
    }
    page = f"{stack.api}/cakupan/reports/{day.isoformat()}.html"
    written = (stack.home / "data" / "reports" / f"{day.isoformat()}.html").read_text("utf-8")
    for headers in ({}, {"Authorization": "Bearer forged.not.a-token"}):
        refused = httpx.get(page, headers=headers, timeout=30)
        assert refused.status_code == 401, (headers, refused.status_code)
        assert "Pekerja" not in refused.text
    assert httpx.get(page, cookies={"_token": "forged"}, timeout=30).status_code == 401
    served = httpx.get(page, headers={"Authorization": f"Bearer {api.token}"}, timeout=30)
    assert served.status_code == 200 and served.text == written
    docs = f"{stack.api}/cakupan/gx/snapshots/{day.isoformat()}/index.html"
    assert httpx.get(docs, cookies={"_token": api.token}, timeout=30).status_code == 200

    # From the coverage run that built the day (its "Coverage report" tab) to its page, in
    # a browser logged in to Airflow (the cookie its login page sets), charts drawn.
    built = [r for r in api.dag_runs(COVERAGE) if r["run_type"] == "asset_triggered"]
    link = f"{stack.api}/cakupan/runs/{COVERAGE}/{quote(built[0]['dag_run_id'], safe='')}"
    charts = "document.querySelectorAll('.chart')"
    opened = open_url(
        link,
        tmp / "logged-in",
        cookies={"_token": api.token},
        ready=f"{charts}.length > 0 && [...{charts}].every(c => c.dataset.rendered === 'true')",
    )
    assert (opened.status, opened.url) == (200, page)
    assert opened.root.find("h1").text() == "Cakupan BPJS Ketenagakerjaan pekerja rentan"
    assert not opened.root.find_all(class_="chart-error")
    assert opened.root.find("table", id="follow-up") is not None
    assert not [m for m in opened.console if "favicon" not in m], opened.console
    # and as a person clicks it: the run's "Coverage report" tab in Airflow's own UI frames
    # that page, scripts running (the charts are drawn inside the frame)
    tab = f"{stack.api}/dags/{COVERAGE}/runs/{quote(built[0]['dag_run_id'], safe='')}"
    framed = (
        "(() => { const f = document.querySelector('iframe[title=\"Coverage report\"]');"
        " const d = f && f.contentDocument; if (!d || !d.querySelector('h1')) return false;"
        " const c = d.querySelectorAll('.chart');"
        " return d.querySelector('h1').textContent.trim() === "
        "'Cakupan BPJS Ketenagakerjaan pekerja rentan' && c.length > 0"
        " && [...c].every(x => x.dataset.rendered === 'true'); })()"
    )
    ui = open_url(
        f"{tab}/plugin/cakupan-run-report",
        tmp / "airflow-ui",
        cookies={"_token": api.token},
        ready=framed,
        timeout=120,
    )
    assert ui.status == 200
    # the same link without a login: refused, the page says to log in
    anonymous = open_url(link, tmp / "anonymous")
    assert anonymous.status == 401
    assert "Log in to Airflow first" in anonymous.root.text()
    assert anonymous.root.find("table", id="follow-up") is None


def test_celery_stack_runs_the_daily_pipeline(stack, tmp_path_factory, webhook):
    api = Api(stack.api, "admin", TEST_DOTENV["AIRFLOW_ADMIN_PASSWORD"])
    dag_ids = (*INGEST, COVERAGE)

    def parsed():
        found = api.get("/dags", dag_id_pattern="cakupan", limit=50)["dags"]
        return {d["dag_id"] for d in found} >= set(dag_ids)

    wait_for("the dag-processor to parse the DAGs", parsed, stack)

    # Unpaused on an empty landing folder: the scheduler starts today's scheduled runs by
    # itself (catchup is off, so only the latest); with no file they load nothing.
    for dag_id in dag_ids:
        api.send("PATCH", f"/dags/{dag_id}", {"is_paused": False})
    for dag_id in dag_ids:
        runs = wait_for(f"{dag_id}'s scheduled run", lambda d=dag_id: settled(api, d), stack)
        assert all(r["state"] == "success" for r in runs), failed_logs(api, stack, dag_id, runs)

    # A delivery day, then the three ingest DAGs triggered through the REST API.
    scenario = generate_scenario(
        tmp_path_factory.mktemp("stack-scenario"), regencies=("1612",), days=1, seed=3, scale=0.1
    )
    day = scenario.days[0]
    assert scenario.deliver(day, stack.home / "data" / "landing")
    logical = f"{day.isoformat()}T05:00:00+07:00"
    for dag_id in INGEST:
        api.send(
            "POST", f"/dags/{dag_id}/dagRuns", {"logical_date": logical, "dag_run_id": f"it_{day}"}
        )
    for dag_id in INGEST:
        runs = wait_for(f"{dag_id} to finish", lambda d=dag_id: settled(api, d, 2), stack)
        mine = [r for r in runs if r["dag_run_id"] == f"it_{day}"]
        assert [r["state"] for r in mine] == ["success"], failed_logs(api, stack, dag_id, mine)

    # The staging assets trigger the coverage DAG; it builds the delivery day's snapshot.
    runs = wait_for("the asset-triggered coverage run", lambda: coverage_settled(api), stack)
    assert all(r["state"] == "success" for r in runs), failed_logs(api, stack, COVERAGE, runs)

    engine = sa.create_engine(stack.warehouse_url)
    try:
        oracle = Oracle(scenario.out / "truth")
        check_against_truth(engine, oracle, day)
        files = rows(engine, "SELECT 1 FROM mart.data_quality WHERE received_date = :d", d=day)
        delivered = [f for f in oracle.files if f["delivery_date"] == day.isoformat()]
        assert len(files) == len(delivered)
    finally:
        engine.dispose()

    # The report and the GX Data Docs are written to the shared data folder.
    data = stack.home / "data"
    reports = data / "reports"
    assert {p.name for p in reports.iterdir()} >= {
        "index.html",
        f"{day.isoformat()}.html",
        f"{day.isoformat()}.en.html",
    }
    # The snapshot's GX audit Data Docs, in the snapshot's own folder.
    assert (data / "gx" / "snapshots" / day.isoformat() / "index.html").is_file()
    page = (reports / f"{day.isoformat()}.html").read_text(encoding="utf-8")
    assert f'href="../gx/snapshots/{day.isoformat()}/index.html"' in page

    # The report in Airflow's UI, through the real api-server and its auth manager.
    check_report_in_airflow(stack, api, day, tmp_path_factory.mktemp("stack-browser"))

    # Alerts: the scheduled run missed its (test) deadline and the triggerer said so; no
    # DAG failed, so no failure alert.
    received = webhook.received
    scheduled = [r["dag_run_id"] for r in api.dag_runs(COVERAGE) if r["run_type"] == "scheduled"]
    missed = wait_for(
        "the deadline alert",
        lambda: [m for m in received if m.get("event") == "deadline_missed"],
        stack,
        timeout=120,
    )
    assert {(m["dag_id"], m["run_id"]) for m in missed} == {(COVERAGE, scheduled[0])}
    assert [m for m in received if m.get("event") != "deadline_missed"] == []

    # Both Celery workers took tasks.
    for n in (1, 2):
        log = stack.log_path(f"airflow-worker-{n}").read_text(errors="replace")
        assert "execute_workload" in log and " received" in log, stack.tail(f"airflow-worker-{n}")
