"""Probable matches for mistyped NIKs (core/065_probable_match): a Python model of the snapshot.

A village operator types a NIK by hand; one wrong digit makes an enrolled worker look
uncovered. The proposed workers whose NIK has no exact match among the member state's NIKs
(or the register's) are linked to the records there by NIK similarity, name, birth date and
village with Splink, on an in-process DuckDB whatever the warehouse is: the rows are read
from the warehouse as Arrow through the snapshot's own connection (include/sql/linkage/),
scored, and the pairs written back into core.probable_match (a working set) in the same
transaction. Exact NIK stays the truth of every other column; core/070 counts a proposed
worker as probably covered when its best pair reaches ``linkage.min_probability``.

The model's parameters are fixed, not trained (:func:`_model`): the same rows always give
the same probabilities, rounded to 4 decimals where they are computed, so a re-run of a
date and the two engines publish identical rows. docs/decisions.md, "Probable matches".
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from cakupan.checks.row_pass import load_rule_macros
from cakupan.logs import get_logger
from cakupan.warehouse.bulk import bulk_insert, fetch_arrow, fetch_batches
from cakupan.warehouse.sqlfiles import run_file, statements

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

log = get_logger(__name__)

LAYER = "linkage"
# Pairs below this probability are not kept (they are no help to a reviewer), nor more than
# TOP_PAIRS per proposed NIK and source; core/070 applies linkage.min_probability on top.
PROBABILITY_FLOOR = 0.5
TOP_PAIRS = 3
# Blocking keys of include/sql/linkage/030_records.sql: the NIK without digits s..s+3.
BLOCK_STARTS = (1, 3, 5, 7, 9, 11, 13)
MEMORY_LIMIT = "1GB"
# Candidates stream in batches this size into one query (:func:`keep_candidates`); ~8 MB
# of Arrow each. Batches of a million rows (~80 MB, each gathered in one piece) made the
# same query take 4.7-5.7 s on 5.5 million candidates against 3.2-3.8 s at this size.
CANDIDATE_BATCH_ROWS = 100_000
# Prior: the chance that two records of the two sides, drawn at random, are one person.
PRIOR = 2.0**-30


def link_probable_matches(conn: Connection, params: Mapping[str, Any]) -> None:
    """Refill core.probable_match for ``params["as_of"]`` from the rows core/010-050 built."""
    began = time.perf_counter()
    run_file(conn, f"{LAYER}/000_empty.sql")
    proposed = fetch_arrow(conn, f"{LAYER}/010_proposed.sql", params)
    with _linkage_db() as db:
        db.register("proposed_in", proposed)
        _run(db, "030_records.sql")
        stream = fetch_batches(conn, f"{LAYER}/020_candidates.sql", params, CANDIDATE_BATCH_ROWS)
        candidates = keep_candidates(db, stream)
        pairs = _score(db, params["as_of"])
    bulk_insert(conn, "core.probable_match", pairs)
    log.info(
        "probable_matches",
        as_of=str(params["as_of"]),
        proposed_unmatched=proposed.num_rows,
        candidates=candidates,
        pairs=pairs.num_rows,
        seconds=round(time.perf_counter() - began, 2),
    )


def keep_candidates(db: duckdb.DuckDBPyConnection, batches: pa.RecordBatchReader) -> int:
    """Keep the candidates that share a blocking key with a proposed NIK, in one query over
    the whole stream (the others are never held); returns how many were read.

    One query builds the seven hash tables of the proposed NIKs' keys once; a query per
    batch rebuilt them per batch (5.5 million candidates in six batches of a million:
    4.9-6.4 s of keeping against 3.1-3.8 s in one query, on a PostgreSQL warehouse)."""
    import pyarrow as pa

    read = 0

    def counted() -> Iterator[pa.RecordBatch]:
        nonlocal read
        for batch in batches:
            read += batch.num_rows
            yield batch

    db.register("candidates_in", pa.RecordBatchReader.from_batches(batches.schema, counted()))
    try:
        _run(db, "035_keep_candidates.sql")
    finally:
        db.unregister("candidates_in")
    return read


def prepare_linkage() -> None:
    """Import Splink ahead of the linkage (``cakupan.preload``: the snapshot does it on a
    background thread while the core models before it work)."""
    import splink.comparison_library  # noqa: F401
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on  # noqa: F401


@contextmanager
def _linkage_db() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB with the row rules' macros, closed after use."""
    import duckdb

    db = duckdb.connect(
        config={
            "memory_limit": MEMORY_LIMIT,
            "temp_directory": tempfile.gettempdir() + "/cakupan-linkage",
        }
    )
    try:
        load_rule_macros(db)
        yield db
    finally:
        db.close()


def _run(db: duckdb.DuckDBPyConnection, name: str) -> None:
    for stmt in statements(f"{LAYER}/{name}"):
        db.execute(stmt)


def _score(db: duckdb.DuckDBPyConnection, as_of: Any) -> pa.Table:
    """Both sides cleaned, scored by Splink, and the kept pairs as core.probable_match rows."""
    _run(db, "040_sides.sql")
    _predict(db)
    (stmt,) = statements(f"{LAYER}/050_pairs.sql")
    bound = {"as_of": as_of, "floor": PROBABILITY_FLOOR, "top": TOP_PAIRS}
    return db.sql(stmt, params=bound).to_arrow_table()


def _predict(db: duckdb.DuckDBPyConnection) -> None:
    """Splink's scored pairs of link_proposed x link_candidate, as the view link_scored."""
    from splink import DuckDBAPI, Linker

    api = DuckDBAPI(connection=db)
    left = api.register("link_proposed", dataset_display_name="proposed")
    right = api.register("link_candidate", dataset_display_name="candidate")
    linker = Linker([left, right], _model(), log_level=None)
    scored = linker.inference.predict(
        threshold_match_probability=PROBABILITY_FLOOR, warning_mode="never"
    )
    scored.as_duckdbpyrelation().create_view("link_scored")


def _model() -> Any:
    """The Splink model: comparisons with fixed m and u probabilities (no training, so no
    randomness). Their Bayes factors, in bits of match weight, with the prior's -30:

    * NIK (Damerau-Levenshtein): one digit changed or two adjacent swapped +18; more -10
      (blocking makes every pair share 12 digits; an exact NIK is never linked);
    * name (Jaro-Winkler on the cleaned name): equal +10, >= 0.92 +6, >= 0.80 0, else -8;
    * birth date as DDMMYY: equal +14, else -12. A look-alike whose NIK is one digit from
      a member's usually differs in it because the birth date differs: it stays below;
    * village: equal +6, different -3, unknown (a member row without one) 0.

    A typo with all four agreeing scores +18 (p ~ 1); with an unknown village and a
    slightly different name +8 (0.996); a same-named neighbour born another day -8.
    """
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    def levels(*bits: float) -> tuple[list[float], list[float]]:
        """m and u probabilities of the levels whose ratios are these weights (Splink
        scores by the ratio m / u only)."""
        return [2.0**b / (2.0**b + 1) for b in bits], [1 / (2.0**b + 1) for b in bits]

    nik_m, nik_u = levels(40, 18, -10)  # exact (never blocked together) | DL <= 1 | else
    name_m, name_u = levels(10, 6, 0, -8)
    birth_m, birth_u = levels(14, -12)
    village_m, village_u = levels(6, -3)
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=PRIOR,
        blocking_rules_to_generate_predictions=[block_on(f"block_{s}") for s in BLOCK_STARTS],
        comparisons=[
            cl.DamerauLevenshteinAtThresholds("nik", [1]).configure(
                m_probabilities=nik_m, u_probabilities=nik_u
            ),
            cl.JaroWinklerAtThresholds("name", [0.92, 0.80]).configure(
                m_probabilities=name_m, u_probabilities=name_u
            ),
            cl.ExactMatch("birth").configure(m_probabilities=birth_m, u_probabilities=birth_u),
            cl.ExactMatch("village_code").configure(
                m_probabilities=village_m, u_probabilities=village_u
            ),
        ],
        additional_columns_to_retain=["candidate_source"],
        retain_intermediate_calculation_columns=False,
    )
