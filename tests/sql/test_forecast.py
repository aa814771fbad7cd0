"""mart.coverage_forecast (CONTRACT §5.1) on DuckDB and PostgreSQL, against series worked
out by hand here: history rows are written straight into core.unit_snapshot, the model
mart/080_coverage_forecast.sql runs alone, and every column is compared with the least
squares computed below in exact fractions (centred on the means, not the SQL's formula).
The last test builds real snapshots, so the model runs in build_snapshot and its audit."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pytest
import sqlalchemy as sa

from cakupan.marts.snapshot import build_snapshot, snapshot_params
from cakupan.settings import ForecastSettings, load_settings
from cakupan.warehouse.sqlfiles import run_file
from tests.sql.test_snapshot_rules import PALI_DESA_A, member, nik, stage, submission

D = dt.date
MODEL = "mart/080_coverage_forecast.sql"
PROVINCE = "16"
# Irregular dates, so the slopes are not round numbers: with the default 28-day window,
# the window of 29 June is 2..29 June and leaves 1 June out (1 June = 29 June - 28).
DAYS = (D(2025, 6, 1), D(2025, 6, 9), D(2025, 6, 15), D(2025, 6, 22), D(2025, 6, 29))
AS_OF = DAYS[-1]


@dataclass(frozen=True)
class Series:
    """One unit's history: a count per day of DAYS and the targets on every day."""

    level: str
    code: str
    workers: tuple[int, ...]
    target_workers: int | None
    members: tuple[int, ...] = (0, 0, 0, 0, 0)
    workforce_estimate: int | None = None
    workforce_target_pct: Decimal | None = None


# members_covered on DAYS, workforce_estimate and workforce_target_pct, where known
WORKFORCE = {
    "1612": ((970, 980, 986, 993, 1000), 50000, Decimal("50.00")),
    "1602": ((330, 330, 330, 330, 330), 1001, Decimal("33.33")),
    PROVINCE: ((5000, 5100, 5300, 5400, 5600), 3000000, Decimal("50.00")),
}
SERIES = (
    # PALI: rising; 5,860 - 220 = 5,640 workers to go at 5,640/899 a day: exactly 899 days.
    # Members 980 ... 1,000 (one a day): 25,000 - 1,000 = 24,000 days to the 50 % target.
    Series("regency", "1612", (0, 100, 130, 190, 220), 5860, *WORKFORCE["1612"]),
    # Falling coverage: a pace below 0, no date. The workforce is unknown: no member columns.
    Series("regency", "1601", (90, 80, 70, 60, 50), 400),
    # Target already reached and still rising: nothing missing, reached on the date itself.
    # The workforce target is 1,001 x 33.33 % = 333.6333 -> 334 members: 4 to go, 0/week.
    Series("regency", "1602", (0, 250, 280, 300, 320), 300, *WORKFORCE["1602"]),
    # Reached, but flat: the pace is 0, so no date (CONTRACT: NULL where not positive).
    Series("regency", "1603", (5, 5, 5, 5, 5), 5),
    # No worker target (a city of kelurahan): a pace, but nothing missing and no date.
    Series("regency", "1671", (0, 3, 4, 9, 12), None),
    Series("province", PROVINCE, (0, 500, 520, 600, 610), 100000, *WORKFORCE[PROVINCE]),
)


def least_squares(points: list[tuple[int, int]]) -> Fraction:
    """The slope per day of the line through (day number, count), in exact fractions."""
    n = len(points)
    mean_x = Fraction(sum(x for x, _ in points), n)
    mean_y = Fraction(sum(y for _, y in points), n)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    return sxy / sxx


def per_week(slope: Fraction) -> Decimal:
    """The pace as published: workers a week, 2 decimals, half rounded up."""
    return Decimal(math.floor(slope * 7 * 100 + Fraction(1, 2))) / 100


def forecast_of(
    counts: tuple[int, ...], target: int | None, as_of: dt.date, window_days: int
) -> tuple[Decimal | None, int | None, dt.date | None]:
    """(pace per week, missing, reached on) of one count, by the documented rules."""
    end = DAYS.index(as_of)
    points = [
        ((day - as_of).days, count)
        for day, count in zip(DAYS[: end + 1], counts, strict=False)
        if as_of - dt.timedelta(days=window_days) < day
    ]
    missing = None if target is None else max(target - counts[end], 0)
    if len(points) < 3:
        return None, missing, None
    slope = least_squares(points)
    pace = per_week(slope)
    if pace <= 0 or missing is None:
        return pace, missing, None
    days = math.ceil(missing / slope)
    if days > (dt.date.max - as_of).days:  # after 9999-12-31: no date
        return pace, missing, None
    return pace, missing, as_of + dt.timedelta(days=days)


def expected_row(s: Series, as_of: dt.date, window_days: int) -> dict:
    pace, missing, reached = forecast_of(s.workers, s.target_workers, as_of, window_days)
    row = {
        "snapshot_date": as_of,
        "unit_level": s.level,
        "unit_code": s.code,
        "pace_workers_per_week": pace,
        "workers_missing": missing,
        "target_reached_on": reached,
        "pace_members_per_week": None,
        "members_missing": None,
        "workforce_target_reached_on": None,
    }
    if s.workforce_estimate is not None:
        target = math.ceil(Fraction(s.workforce_estimate) * Fraction(s.workforce_target_pct) / 100)
        pace, missing, reached = forecast_of(s.members, target, as_of, window_days)
        row.update(
            pace_members_per_week=pace,
            members_missing=missing,
            workforce_target_reached_on=reached,
        )
    return row


INSERT_UNIT = sa.text(
    """
    INSERT INTO core.unit_snapshot
        (snapshot_date, unit_level, unit_code, workers_proposed, workers_eligible,
         workers_enrolled, workers_covered, workers_in_arrears, rows_rejected, target_workers,
         poor_listed, poor_covered, villages_expected, villages_submitted, villages_on_time,
         members_covered, workforce_estimate, workforce_target_pct)
    VALUES (:day, :level, :code, :workers, :workers, :workers, :workers, 0, 0, :target,
            0, 0, 0, 0, 0, :members, :workforce, :pct)"""
)


def write_history(engine, series=SERIES) -> None:
    """Every unit's rows on every day of DAYS, as core/080_unit_snapshot would leave them."""
    with engine.begin() as conn:
        for s in series:
            for i, day in enumerate(DAYS):
                conn.execute(
                    INSERT_UNIT,
                    {
                        "day": day,
                        "level": s.level,
                        "code": s.code,
                        "workers": s.workers[i],
                        "target": s.target_workers,
                        "members": s.members[i],
                        "workforce": s.workforce_estimate,
                        "pct": s.workforce_target_pct,
                    },
                )


def forecast(engine, as_of: dt.date, window_days: int = 28) -> dict[str, dict]:
    """Run the model for ``as_of`` and return its rows by unit code."""
    settings = load_settings()
    settings = type(settings)(
        **{**settings.__dict__, "forecast": ForecastSettings(window_days=window_days)}
    )
    with engine.begin() as conn:
        run_file(conn, MODEL, snapshot_params(as_of, settings))
        got = conn.execute(
            sa.text("SELECT * FROM mart.coverage_forecast WHERE snapshot_date = :d"), {"d": as_of}
        )
        return {r["unit_code"]: dict(r) for r in got.mappings()}


@pytest.fixture
def history(warehouse):
    write_history(warehouse)
    return warehouse


def test_every_column_equals_the_hand_computed_forecast(history):
    got = forecast(history, AS_OF)
    assert set(got) == {s.code for s in SERIES}
    for s in SERIES:
        assert got[s.code] == expected_row(s, AS_OF, 28), s.code


def test_the_worked_example_in_numbers(history):
    """The series above worked through once more as plain numbers, so a wrong helper above
    cannot hide a wrong model: x = -20, -14, -7, 0 (9, 15, 22 and 29 June), n = 4."""
    got = forecast(history, AS_OF)
    pali = got["1612"]
    # y = 100, 130, 190, 220: Sxy - Sx*Sy/n = -5150 + 41*640/4 = 1410; Sxx - Sx^2/n =
    # 645 - 1681/4 = 224.75; slope = 1410 / 224.75 = 5640/899 a day = 43.9155... a week.
    assert pali["pace_workers_per_week"] == Decimal("43.92")
    assert pali["workers_missing"] == 5640
    assert pali["target_reached_on"] == AS_OF + dt.timedelta(days=899) == D(2027, 12, 15)
    # members y = 980, 986, 993, 1000 = 1000 + x: one a day, 24,000 to go
    assert pali["pace_members_per_week"] == Decimal("7.00")
    assert (pali["members_missing"], pali["workforce_target_reached_on"]) == (
        24000,
        AS_OF + dt.timedelta(days=24000),
    )
    falling = got["1601"]
    # y = 80, 70, 60, 50: Sxy - Sx*Sy/n = -3000 + 41*260/4 = -335; -335/224.75 = -1.49 a day
    assert falling["pace_workers_per_week"] == Decimal("-10.43")
    assert (falling["workers_missing"], falling["target_reached_on"]) == (350, None)
    assert falling["pace_members_per_week"] is None and falling["members_missing"] is None
    reached = got["1602"]
    assert (reached["workers_missing"], reached["target_reached_on"]) == (0, AS_OF)
    # the flat members (330 of 334): pace 0.00, no date, 4 still missing
    assert (reached["pace_members_per_week"], reached["members_missing"]) == (Decimal("0.00"), 4)
    assert reached["workforce_target_reached_on"] is None
    flat = got["1603"]
    assert (flat["pace_workers_per_week"], flat["workers_missing"]) == (Decimal("0.00"), 0)
    assert flat["target_reached_on"] is None
    city = got["1671"]
    assert city["pace_workers_per_week"] is not None
    assert (city["workers_missing"], city["target_reached_on"]) == (None, None)


def test_the_window_boundary_is_excluded_and_widening_it_brings_the_day_in(history):
    """29 June - 28 days = 1 June, outside the window; with 29 days 1 June is in it."""
    narrow, wide = forecast(history, AS_OF, 28), forecast(history, AS_OF, 29)
    for s in SERIES:
        assert narrow[s.code] == expected_row(s, AS_OF, 28), s.code
        assert wide[s.code] == expected_row(s, AS_OF, 29), s.code
    # PALI's 0 on 1 June steepens the line once it is in the window
    assert wide["1612"]["pace_workers_per_week"] > narrow["1612"]["pace_workers_per_week"]


def test_fewer_than_three_snapshots_give_no_pace_and_no_date(history):
    """9 June: 1 and 9 June only. 15 June: three snapshots, a forecast."""
    early = forecast(history, DAYS[1])
    for s in SERIES:
        row = early[s.code]
        assert row == expected_row(s, DAYS[1], 28), s.code
        assert row["pace_workers_per_week"] is None and row["target_reached_on"] is None
        assert row["pace_members_per_week"] is None
    assert early["1612"]["workers_missing"] == 5860 - 100  # missing is known all the same
    third = forecast(history, DAYS[2])
    for s in SERIES:
        assert third[s.code] == expected_row(s, DAYS[2], 28), s.code
    assert third["1612"]["target_reached_on"] is not None
    # only snapshots up to the date count: a later one does not join an earlier forecast
    assert forecast(history, DAYS[1]) == early


def test_a_rerun_replaces_the_dates_rows_and_keeps_the_others(history):
    first = forecast(history, DAYS[2])
    forecast(history, AS_OF)
    again = forecast(history, AS_OF)
    assert again == forecast(history, AS_OF)
    with history.connect() as conn:
        dates = conn.execute(
            sa.text(
                "SELECT snapshot_date, COUNT(*) AS n FROM mart.coverage_forecast "
                "GROUP BY snapshot_date ORDER BY snapshot_date"
            )
        ).all()
    assert [tuple(r) for r in dates] == [(DAYS[2], len(SERIES)), (AS_OF, len(SERIES))]
    assert forecast(history, DAYS[2]) == first


def test_a_pace_too_slow_for_any_calendar_gives_no_date(warehouse):
    """3 million workers to go at 0.32 a week: 65 million days, far past 9999-12-31."""
    slow = Series("province", PROVINCE, (0, 0, 0, 0, 1), 3_000_000)
    write_history(warehouse, (slow,))
    row = forecast(warehouse, AS_OF)[PROVINCE]
    assert row["pace_workers_per_week"] > 0
    assert row["workers_missing"] == 2_999_999 and row["target_reached_on"] is None


def test_build_snapshot_writes_a_forecast_row_per_regency_and_the_province(warehouse):
    """Real snapshots on 2, 3 and 4 June: a proposed worker covered from 3 June, another
    from 4 June; the third snapshot has its forecast, audited with the rest."""
    stage(
        warehouse,
        "staging.village_submissions",
        [submission(nik(i), PALI_DESA_A, D(2025, 6, 1), D(2025, 6, 1), row=i + 1) for i in (1, 2)],
    )
    stage(
        warehouse,
        "staging.member_exports",
        [
            member(f"1000000000{i}", nik(i), "AKTIF", D(2025, 6, 1), day, day, file=f"m{i}.csv")
            for i, day in ((1, D(2025, 6, 3)), (2, D(2025, 6, 4)))
        ],
    )
    for day in (D(2025, 6, 2), D(2025, 6, 3), D(2025, 6, 4)):
        build_snapshot(warehouse, day, load_settings())
    with warehouse.connect() as conn:
        rows = (
            conn.execute(
                sa.text("SELECT * FROM mart.coverage_forecast WHERE snapshot_date = :d"),
                {"d": D(2025, 6, 4)},
            )
            .mappings()
            .all()
        )
        regencies = conn.execute(sa.text("SELECT COUNT(*) FROM ref.regency")).scalar_one()
    assert len(rows) == regencies + 1
    pali = next(r for r in rows if r["unit_code"] == "1612")
    # covered 0, 1, 2 on x = -2, -1, 0: one a day
    assert pali["pace_workers_per_week"] == Decimal("7.00")
    target = pali["workers_missing"] + 2
    assert pali["target_reached_on"] == D(2025, 6, 4) + dt.timedelta(days=target - 2)
    province = next(r for r in rows if r["unit_level"] == "province")
    assert province["unit_code"] == PROVINCE
    assert province["pace_workers_per_week"] == Decimal("7.00")
    quiet = next(r for r in rows if r["unit_code"] == "1601")
    assert quiet["pace_workers_per_week"] == Decimal("0.00") and quiet["target_reached_on"] is None
