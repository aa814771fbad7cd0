"""The report's words and formats: both languages complete, numbers and dates localised."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from cakupan.report.data import FOLLOW_UP_REASONS, STATUSES
from cakupan.report.labels import (
    DEFAULT_LANGUAGE,
    LABELS,
    LANGUAGES,
    format_date,
    format_number,
    label,
    labels,
    page_name,
    vega_locales,
)
from cakupan.sources.specs import FLAGS, REASONS, SOURCES


def test_both_languages_have_the_same_labels_and_none_is_empty():
    assert set(LANGUAGES) == set(LABELS) and DEFAULT_LANGUAGE == "id"
    assert set(LABELS["id"]) == set(LABELS["en"])
    for lang in LANGUAGES:
        assert all(text.strip() for text in LABELS[lang].values()), lang


def test_every_code_the_marts_use_has_a_label():
    codes = [
        *(f"status_{s}" for s in (*STATUSES, "sent_rejected")),
        *(f"follow_{r}" for r in FOLLOW_UP_REASONS),
        *(f"source_{s}" for s in SOURCES),
        *(f"file_{s}" for s in ("loaded", "rejected_file", "skipped_duplicate")),
        *(f"reason_{r}" for r in (*REASONS, *FLAGS)),
    ]
    for lang in LANGUAGES:
        missing = [c for c in codes if c not in LABELS[lang]]
        assert not missing, (lang, missing)


def test_the_languages_really_differ():
    same = {k for k in LABELS["id"] if LABELS["id"][k] == LABELS["en"][k]}
    # "Status" and "Target" are Indonesian words too
    assert same <= {"none", "follow_up_count", "col_status", "measure_workforce_target_pct"}, same


def test_an_unknown_language_is_refused_and_an_unknown_code_shown_as_itself():
    with pytest.raises(KeyError, match="unknown report language"):
        labels("fr")
    assert label("en", "reason_brand_new_reason") == "brand_new_reason"


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        (1234567, "id", "1.234.567"),
        (1234567, "en", "1,234,567"),
        (Decimal("1234.5"), "id", "1.234,50"),
        (Decimal("17.22"), "en", "17.22"),
        (0, "id", "0"),
        (None, "id", "–"),
        (None, "en", "–"),
    ],
)
def test_numbers_follow_the_page_language(value, lang, text):
    assert format_number(value, lang) == text


def test_dates_and_page_names():
    day = dt.date(2025, 6, 2)
    assert format_date(day, "id") == "2 Juni 2025"
    assert format_date(day, "en") == "2 June 2025"
    assert format_date(dt.date(2025, 8, 17), "id") == "17 Agustus 2025"
    assert page_name(day, "id") == "2025-06-02.html"
    assert page_name(day, "en") == "2025-06-02.en.html"


def test_chart_locales_match_the_tables():
    for lang in LANGUAGES:
        loc = vega_locales(lang)
        number = loc["formatLocale"]
        assert format_number(Decimal("1000.5"), lang) == (
            f"1{number['thousands']}000{number['decimal']}50"
        )
        assert len(loc["timeFormatLocale"]["months"]) == 12
    assert vega_locales("id")["timeFormatLocale"]["months"][5] == "Juni"


def test_labels_hold_no_markup():
    for lang in LANGUAGES:
        for key, text in LABELS[lang].items():
            assert not re.search(r"[<>]", text), (lang, key)
