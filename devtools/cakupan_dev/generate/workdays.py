"""Delivery days: government offices deliver on working days, so holidays shape the timeline.

With the default start (Monday 2025-05-26) the calendar skips Ascension Day and its cuti
bersama (29-30 May) and the weekend, so the fourth delivery day already falls after PALI's
submission deadline (2025-05-30): on_time and late villages both occur.
"""

from __future__ import annotations

from datetime import date, timedelta

# Indonesian national holidays and cuti bersama for 2025 (SKB 3 Menteri), weekdays only matter.
HOLIDAYS: dict[date, str] = {
    date(2025, 1, 1): "Tahun Baru Masehi",
    date(2025, 1, 27): "Isra Mikraj",
    date(2025, 1, 28): "Cuti bersama Tahun Baru Imlek",
    date(2025, 1, 29): "Tahun Baru Imlek",
    date(2025, 3, 28): "Cuti bersama Nyepi",
    date(2025, 3, 31): "Idulfitri",
    date(2025, 4, 1): "Idulfitri",
    date(2025, 4, 2): "Cuti bersama Idulfitri",
    date(2025, 4, 3): "Cuti bersama Idulfitri",
    date(2025, 4, 4): "Cuti bersama Idulfitri",
    date(2025, 4, 7): "Cuti bersama Idulfitri",
    date(2025, 4, 18): "Wafat Yesus Kristus",
    date(2025, 5, 1): "Hari Buruh",
    date(2025, 5, 12): "Waisak",
    date(2025, 5, 13): "Cuti bersama Waisak",
    date(2025, 5, 29): "Kenaikan Yesus Kristus",
    date(2025, 5, 30): "Cuti bersama Kenaikan Yesus Kristus",
    date(2025, 6, 6): "Iduladha",
    date(2025, 6, 9): "Cuti bersama Iduladha",
    date(2025, 6, 27): "Tahun Baru Islam",
    date(2025, 8, 18): "Cuti bersama Hari Kemerdekaan",
    date(2025, 9, 5): "Maulid Nabi",
    date(2025, 12, 25): "Natal",
    date(2025, 12, 26): "Cuti bersama Natal",
}


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a national holiday or cuti bersama."""
    return day.weekday() < 5 and day not in HOLIDAYS


def delivery_days(start: date, count: int) -> list[date]:
    """The first ``count`` working days from ``start`` (inclusive)."""
    if count < 1:
        raise ValueError("days must be at least 1")
    days: list[date] = []
    day = start
    while len(days) < count:
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days
