"""The read-only ``cakupan_analyst`` role on PostgreSQL: ``mart`` readable, nothing else.

``make roles`` runs this module against ``$CAKUPAN_WAREHOUSE_URL``.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.engine import Engine

from cakupan.logs import get_logger
from cakupan.paths import SQL_DIR
from cakupan.warehouse.engine import (
    WarehouseError,
    create_warehouse_engine,
    describe,
    dialect_of,
)

ANALYST_ROLE = "cakupan_analyst"
ROLE_SQL = "roles/analyst_role.sql"

log = get_logger(__name__)


def create_analyst_role(engine: Engine) -> None:
    """Create ``cakupan_analyst`` if missing and grant it SELECT on ``mart`` of this database.

    The file is sent as one script, not split by ``sqlfiles``: its DO blocks hold ``;`` at
    line ends, and it takes no parameters (the role name is fixed in the file). Idempotent,
    and safe while other databases of the cluster grant the same role.
    """
    if dialect_of(engine) != "postgresql":
        raise WarehouseError(
            "DuckDB has no roles: give analysts read-only connections instead, "
            "e.g. duckdb.connect('warehouse.duckdb', read_only=True)"
        )
    script = (SQL_DIR / ROLE_SQL).read_text(encoding="utf-8")
    with engine.begin() as conn:
        conn.connection.driver_connection.execute(script)
    log.info(
        "analyst_role_granted",
        role=ANALYST_ROLE,
        url=describe(engine.url),
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m cakupan.warehouse.roles [--warehouse URL]``, as run by ``make roles``."""
    from cakupan.cli import say
    from cakupan.warehouse.schema import ensure_schema

    parser = argparse.ArgumentParser(
        prog="python -m cakupan.warehouse.roles",
        description=f"Create the read-only {ANALYST_ROLE} role and grant it the mart schema.",
    )
    parser.add_argument("--warehouse", help="SQLAlchemy URL (default $CAKUPAN_WAREHOUSE_URL)")
    args = parser.parse_args(argv)
    engine = create_warehouse_engine(args.warehouse)
    try:
        if dialect_of(engine) == "postgresql":
            ensure_schema(engine)  # the schemas must exist to be granted; idempotent
        create_analyst_role(engine)
    except WarehouseError as exc:
        say(str(exc))
        return 2
    finally:
        engine.dispose()
    say(
        f"{ANALYST_ROLE}: SELECT on mart granted in "
        f"{describe(engine.url)}; "
        f"give it to analysts with GRANT {ANALYST_ROLE} TO <login>;"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
