"""Static checks of docker-compose.yml (no Docker engine runs here)."""

from __future__ import annotations

import yaml

from cakupan.paths import PROJECT_ROOT


def _compose() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_warehouse_service_is_postgres_with_healthcheck_and_volume():
    services = _compose()["services"]
    warehouse = services["warehouse"]
    assert warehouse["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(warehouse["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in warehouse["volumes"])


def test_no_secret_is_committed():
    text = (PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    env = _compose()["services"]["warehouse"]["environment"]
    assert env["POSTGRES_PASSWORD"].startswith("${"), "passwords come from .env"
    assert "change-me" not in text
    assert not (PROJECT_ROOT / ".env").exists() or ".env" in (
        PROJECT_ROOT / ".gitignore"
    ).read_text(encoding="utf-8")
