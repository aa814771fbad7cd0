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


_FRAGMENT_CALL = re.compile(r"\{\{\s*(\w+)\(([^(){}]*)\)\s*\}\}")
_PARAMETERS = re.compile(r"^--\s*parameters:\s*(.+)$", re.M)


@cache
def statements(relpath: str) -> tuple[str, ...]:
    """The statements of one SQL file (split on ``;`` at line ends, comments dropped),
    with every ``{{ fragment(a, b) }}`` rendered from ``fragments/<fragment>.sql``."""
    text = _COMMENT.sub("", (SQL_DIR / relpath).read_text(encoding="utf-8"))
    text = _FRAGMENT_CALL.sub(lambda m: _render(m.group(1), m.group(2)), text)
    parts = re.split(r";\s*(?:\n|$)", text)
    return tuple(p.strip() for p in parts if p.strip())


@cache
def _fragment(name: str) -> tuple[tuple[str, ...], str]:
    """A fragment's parameter names (its ``-- parameters:`` line) and its SQL text."""
    text = (SQL_DIR / "fragments" / f"{name}.sql").read_text(encoding="utf-8")
    declared = _PARAMETERS.search(text)
    if declared is None:
        raise ValueError(f"fragments/{name}.sql declares no '-- parameters:' line")
    names = tuple(p.strip() for p in declared.group(1).split(","))
    return names, " ".join(_COMMENT.sub("", text).split())


def _render(name: str, arguments: str) -> str:
    """One fragment call: each ``{parameter}`` replaced by its argument (column names or
    expressions of our own SQL files, never data)."""
    names, body = _fragment(name)
    values = [a.strip() for a in arguments.split(",")]
    if len(values) != len(names):
        raise ValueError(f"{name}() takes {len(names)} arguments, got {len(values)}")
    for parameter, value in zip(names, values, strict=True):
        body = body.replace("{" + parameter + "}", value)
    return body


def model_files(layer: str) -> list[str]:
    """The SQL files of one layer (ddl, core, mart) in their numbered order."""
    return sorted(f"{layer}/{p.name}" for p in (SQL_DIR / layer).glob("*.sql"))


def _bound(stmt: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (params or {}).items() if f":{k}" in stmt}


def run_file(conn: Connection, relpath: str, params: Mapping[str, Any] | None = None) -> None:
    """Run every statement of a SQL file with bound parameters (never string-formatted)."""
    for stmt in statements(relpath):
        conn.execute(sa.text(stmt), _bound(stmt, params))


def bound_statement(
    relpath: str, params: Mapping[str, Any] | None = None
) -> tuple[str, dict[str, Any]]:
    """A one-statement SQL file's statement and the parameters it binds."""
    (stmt,) = statements(relpath)
    return stmt, _bound(stmt, params)


def query_file(
    conn: Connection, relpath: str, params: Mapping[str, Any] | None = None
) -> list[sa.Row]:
    """The rows of a one-statement SQL file, with bound parameters."""
    stmt, bound = bound_statement(relpath, params)
    return list(conn.execute(sa.text(stmt), bound))
