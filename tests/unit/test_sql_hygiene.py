"""SQL only with bound parameters: no value is ever formatted into SQL text."""

from __future__ import annotations

import re

import pytest

from cakupan.checks.row_pass import checked_call
from cakupan.paths import PROJECT_ROOT
from cakupan.warehouse.bulk import checked_identifier

SQL_WORD = re.compile(r"\b(SELECT|INSERT|DELETE|UPDATE|COPY|CREATE|DROP)\b")


def _python_files():
    return sorted((PROJECT_ROOT / "plugins" / "cakupan").rglob("*.py"))


def test_no_percent_or_format_built_sql():
    for path in _python_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SQL_WORD.search(line):
                assert ".format(" not in line and '" %' not in line, f"{path.name}:{number}"


def test_interpolated_sql_only_names_checked_identifiers():
    """f-strings holding SQL may only interpolate identifiers that pass checked_identifier
    (or the generated view/column lists built from them in bulk.py)."""
    allowed = {
        "table",
        "columns",
        "view",
        "checked_identifier(table)",
        "lf.source",
        "ANALYST_ROLE",
        "checked_call(expression)",
        "query",  # bulk.fetch_arrow: a SQL file's statement compiled with bound parameters
    }
    for path in _python_files():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r'f"([^"]*)"', text):
            body = match.group(1)
            if not SQL_WORD.search(body):
                continue
            for name in re.findall(r"\{([^}]*)\}", body):
                assert name in allowed, f"{path.name}: {{{name}}} in SQL {body!r}"


@pytest.mark.parametrize("bad", ["staging.x; DROP TABLE y", "a b", "x.y.z", "Robert'); --", ""])
def test_checked_identifier_refuses_anything_else(bad):
    with pytest.raises(ValueError):
        checked_identifier(bad)


@pytest.mark.parametrize(
    "bad",
    ["text_value('x', y)", "f(x); DROP TABLE y", "f(x) OR 1", "f(1)", "month_names()[1]", ""],
)
def test_checked_call_refuses_anything_but_a_rule_on_columns(bad):
    with pytest.raises(ValueError):
        checked_call(bad)


def test_checked_call_takes_the_rules_as_called():
    for call in (
        "id_value(x, x__cell, CAST(NULL AS BOOLEAN))",
        "nik_valid(nik_number(nik))",
        "month_names()",
    ):
        assert checked_call(call) == call


def test_checked_identifier_accepts_our_tables():
    assert checked_identifier("staging.village_submissions") == "staging.village_submissions"


def test_a_fragment_is_written_once_and_rendered_where_called():
    """The percentage formula lives in fragments/percentage.sql only; models call it."""
    from cakupan.warehouse.sqlfiles import statements

    sql_dir = PROJECT_ROOT / "include" / "sql"
    writing = [
        p.relative_to(sql_dir).as_posix()
        for p in sql_dir.rglob("*.sql")
        if "20000.0" in p.read_text(encoding="utf-8")
    ]
    assert writing == ["fragments/percentage.sql"]
    rendered = " ".join(statements("core/080_unit_snapshot.sql"))
    assert "{{" not in rendered
    assert rendered.count("FLOOR((20000.0 *") == 5


def test_a_fragment_called_with_the_wrong_arguments_is_refused():
    from cakupan.warehouse.sqlfiles import _render

    assert "NULLIF(b, 0)" in _render("percentage", "a, b")
    with pytest.raises(ValueError, match="takes 2 arguments"):
        _render("percentage", "a")
