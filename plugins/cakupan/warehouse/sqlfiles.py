"""SQL models kept as files under include/sql/, run unchanged on DuckDB and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cakupan.paths import SQL_DIR

_COMMENT = re.compile(r"--[^\n]*")


@cache
def statements(relpath: str) -> tuple[str, ...]:
    """The statements of one SQL file (split on ``;`` at line ends, comments dropped)."""
    text = _COMMENT.sub("", (SQL_DIR / relpath).read_text(encoding="utf-8"))
    parts = re.split(r";\s*(?:\n|$)", text)
    return tuple(p.strip() for p in parts if p.strip())


def model_files(layer: str) -> list[str]:
    """The SQL files of one layer (ddl, core, mart) in their numbered order."""
    return sorted(f"{layer}/{p.name}" for p in (SQL_DIR / layer).glob("*.sql"))


def _bound(stmt: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (params or {}).items() if f":{k}" in stmt}


def run_file(conn: Connection, relpath: str, params: Mapping[str, Any] | None = None) -> None:
    """Run every statement of a SQL file with bound parameters (never string-formatted)."""
    for stmt in statements(relpath):
        conn.execute(sa.text(stmt), _bound(stmt, params))


def query_file(
    conn: Connection, relpath: str, params: Mapping[str, Any] | None = None
) -> list[sa.Row]:
    """The rows of a one-statement SQL file, with bound parameters."""
    (stmt,) = statements(relpath)
    return list(conn.execute(sa.text(stmt), _bound(stmt, params)))
