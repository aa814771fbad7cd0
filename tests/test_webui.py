"""The report app of the Airflow plugin (cakupan.webui) with FastAPI's TestClient.

Tokens come from Airflow's simple auth manager, signed with a test secret, and are checked
by Airflow's own ``get_user``. Only the revocation list is stubbed: it lives in Airflow's
metadata database, which this test has none of (the stack test runs the real api-server,
database included: tests/integration/test_stack.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient

from cakupan.webui import create_app, safe_file

DAY = dt.date(2025, 6, 2)
SECRET = "unit-test-jwt-secret-" + "0123456789abcdef" * 4


@pytest.fixture
def auth_manager(monkeypatch):
    monkeypatch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", SECRET)
    from airflow.api_fastapi import app as api_app
    from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager
    from airflow.models.revoked_token import RevokedToken

    manager = SimpleAuthManager()
    monkeypatch.setattr(api_app._AuthManagerState, "instance", manager)
    monkeypatch.setattr(RevokedToken, "is_revoked", classmethod(lambda cls, jti, **kw: False))
    return manager


def token(manager, role: str | None = "viewer", seconds: int = 600) -> str:
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    user = SimpleAuthManagerUser(username="ani", role=role)
    return manager.generate_jwt(user, expiration_time_in_seconds=seconds)


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    reports, gx = data / "reports", data / "gx"
    (gx / "snapshots" / DAY.isoformat()).mkdir(parents=True)
    reports.mkdir()
    (reports / "index.html").write_text("<title>index</title>", encoding="utf-8")
    (reports / f"{DAY}.html").write_text("<title>laporan</title>", encoding="utf-8")
    (reports / f".{DAY}.html.x.tmp").write_text("half a page", encoding="utf-8")
    (gx / "snapshots" / DAY.isoformat() / "index.html").write_text("docs", encoding="utf-8")
    (gx / ".data_docs.lock").write_text("", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("warehouse password", encoding="utf-8")
    (reports / "escape.html").symlink_to(tmp_path / "secret.txt")
    return reports, gx


@pytest.fixture
def client(folders) -> TestClient:
    reports, gx = folders
    runs = {("cakupan_coverage", "manual__1"): [DAY], ("cakupan_coverage", "manual__2"): [DAY]}
    runs[("cakupan_coverage", "manual__2")] = [DAY, DAY + dt.timedelta(days=1)]
    app = create_app(lambda: reports, lambda: gx, lambda d, r: runs.get((d, r), []))
    return TestClient(app, follow_redirects=False)


PATHS = ("/", f"/reports/{DAY}.html", "/reports/index.html", f"/gx/snapshots/{DAY}/index.html")


@pytest.mark.parametrize("path", [*PATHS, "/runs/cakupan_coverage/manual__1"])
def test_without_a_login_every_route_is_401(auth_manager, client, path):
    got = client.get(path)
    assert got.status_code == 401
    assert got.headers["www-authenticate"] == "Bearer"
    assert "Log in to Airflow first" in got.text and "laporan" not in got.text


def test_an_expired_or_forged_token_is_401_too(auth_manager, client):
    good = token(auth_manager)
    claims = jwt.decode(good, options={"verify_signature": False})
    alg = jwt.get_unverified_header(good)["alg"]
    expired = jwt.encode({**claims, "exp": 1}, SECRET, algorithm=alg)
    forged = jwt.encode(claims, "not-the-secret-" + "fedcba9876543210" * 4, algorithm=alg)
    for bad in (expired, forged, "garbage"):
        assert client.get("/reports/index.html", cookies={"_token": bad}).status_code == 401
        got = client.get("/reports/index.html", headers={"Authorization": f"Bearer {bad}"})
        assert got.status_code == 401


def test_a_valid_token_or_session_cookie_reads_the_report(auth_manager, client):
    good = token(auth_manager)
    got = client.get(f"/reports/{DAY}.html", headers={"Authorization": f"Bearer {good}"})
    assert got.status_code == 200 and got.text == "<title>laporan</title>"
    assert got.headers["content-type"].startswith("text/html")
    assert got.headers["cache-control"] == "private, no-cache"
    client.cookies.set("_token", good)
    assert client.get(f"/gx/snapshots/{DAY}/index.html").text == "docs"
    assert client.get("/reports/").text == "<title>index</title>"
    home = client.get("/")
    assert home.status_code == 307 and home.headers["location"] == "/reports/index.html"


def test_a_user_who_may_not_read_the_coverage_dag_is_403(auth_manager, client):
    client.cookies.set("_token", token(auth_manager, role=None))
    got = client.get(f"/reports/{DAY}.html")
    assert got.status_code == 403 and "laporan" not in got.text


@pytest.mark.parametrize(
    "path",
    [
        "/reports/../../secret.txt",
        "/reports/%2e%2e/%2e%2e/secret.txt",
        "/reports/..%2f..%2fsecret.txt",
        "/gx/%2e%2e/reports/index.html",
        "/reports/escape.html",  # a link out of the folder
        f"/reports/.{DAY}.html.x.tmp",  # a page being written
        "/gx/.data_docs.lock",
        "/reports/%00",
        "/reports/nope.html",
        "/reports/..\\secret.txt",
    ],
)
def test_nothing_outside_the_folders_nor_hidden_is_served(auth_manager, client, path):
    client.cookies.set("_token", token(auth_manager))
    got = client.get(path)
    assert got.status_code == 404, (path, got.status_code)
    assert "warehouse password" not in got.text and "half a page" not in got.text


def test_safe_file_refuses_traversal(folders):
    reports, _ = folders
    assert safe_file(reports, f"{DAY}.html") == (reports / f"{DAY}.html").resolve()
    for bad in ("../secret.txt", "a/../../secret.txt", "/etc/passwd", "escape.html", ""):
        assert safe_file(reports, bad) is None, bad


def test_a_run_leads_to_the_report_of_the_date_it_built(auth_manager, client, folders):
    client.cookies.set("_token", token(auth_manager))
    one = client.get("/runs/cakupan_coverage/manual__1")
    assert one.status_code == 307 and one.headers["location"] == f"/reports/{DAY}.html"
    # an ingest run built no snapshot: the index of all dates
    other = client.get("/runs/cakupan_ingest_member_exports/manual__1")
    assert other.headers["location"] == "/reports/index.html"
    # the latest date it built has no page yet: a clear page, not a broken link
    later = client.get("/runs/cakupan_coverage/manual__2")
    assert later.status_code == 404
    assert "has not been written yet" in later.text and "/reports/index.html" in later.text


def test_no_report_yet_is_a_clear_page(auth_manager, client, folders):
    reports, _ = folders
    for page in reports.iterdir():
        page.unlink()
    client.cookies.set("_token", token(auth_manager))
    got = client.get("/reports/index.html")
    assert got.status_code == 404
    assert "No report yet" in got.text and "write_report" in got.text
