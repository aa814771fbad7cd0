"""Every word the coverage report shows, in Bahasa Indonesia (default) and English.

Kept in one place so both pages say the same thing and a translation is one dict entry,
and so the number and date formats follow the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

DEFAULT_LANGUAGE = "id"
LANGUAGES = ("id", "en")

LABELS: dict[str, dict[str, str]] = {
    "id": {
        "language_name": "Bahasa Indonesia",
        "title": "Cakupan BPJS Ketenagakerjaan pekerja rentan",
        "subtitle": "Provinsi Sumatera Selatan, keadaan per {date}",
        "other_language": "Read in English",
        "index_link": "Semua tanggal laporan",
        "data_docs_link": "Audit tabel yang diterbitkan (GX Data Docs)",
        "province": "Provinsi Sumatera Selatan",
        "none": "–",
        "total": "Jumlah",
        "chart_error": "Grafik tidak dapat ditampilkan",
        "sec_attainment": "Capaian terhadap target",
        "sec_attainment_note": (
            "Pekerja tercakup: pekerja rentan yang diusulkan desa, memenuhi syarat usia, dan "
            "iurannya aktif sampai bulan ini. Target: 100 pekerja per desa (kelurahan tanpa "
            "target)."
        ),
        "chart_attainment": "Capaian target per kabupaten/kota (%)",
        "target_line": "sasaran",
        "sec_workforce": "Cakupan angkatan kerja rentan",
        "sec_workforce_note": (
            "Semua peserta tercakup di wilayah itu dibanding perkiraan angkatan kerja rentan; "
            "hanya wilayah yang perkiraannya diketahui."
        ),
        "chart_workforce": "Cakupan angkatan kerja dan targetnya (%)",
        "sec_status": "Pengiriman usulan desa",
        "sec_status_note": (
            "Hanya desa: kelurahan tidak wajib mengirim usulan. Tepat waktu dan terlambat "
            "dihitung terhadap batas waktu kabupaten; 'terkirim' dipakai bila kabupaten tidak "
            "punya batas waktu. 'Belum mengirim': belum ada baris usulan yang dimuat, termasuk "
            "desa yang berkas atau semua barisnya ditolak (lihat daftar tindak lanjut)."
        ),
        "chart_status": "Desa menurut status pengiriman",
        "sec_trend": "Perkembangan pekerja tercakup",
        "sec_trend_note": "Semua keadaan yang sudah dihitung sampai tanggal laporan.",
        "chart_trend": "Pekerja tercakup per tanggal",
        "forecast_title": "Perkiraan pencapaian target pekerja",
        "forecast_note": (
            "Laju: garis lurus terbaik melalui keadaan beberapa minggu terakhir (sedikitnya 3 "
            "keadaan). Garis titik-titik pada grafik meneruskan laju itu sampai target, paling "
            "jauh {days} hari ke depan."
        ),
        "outlook_on_pace": (
            "Dengan laju ini, {unit} mencapai {target} pekerja terlindungi pada {date}."
        ),
        "outlook_not_at_pace": (
            "{unit}: target {target} pekerja terlindungi belum tercapai dengan laju saat ini "
            "({pace} pekerja per minggu)."
        ),
        "outlook_reached": "{unit} sudah mencapai target {target} pekerja terlindungi.",
        "outlook_no_forecast": (
            "{unit}: belum ada perkiraan; laju dihitung bila ada sedikitnya 3 keadaan dalam "
            "beberapa minggu terakhir."
        ),
        "outlook_no_target": "{unit} tidak punya target pekerja (tanpa desa).",
        "projection": "perkiraan",
        "sec_quality": "Mutu data",
        "sec_quality_note": "Berkas yang diterima sampai tanggal laporan.",
        "table_files": "Berkas menurut sumber dan status",
        "table_rejections": "Baris ditolak menurut alasan",
        "table_flags": "Baris dimuat dengan catatan",
        "chart_rejections": "Baris ditolak menurut alasan",
        "no_rejections": "Tidak ada baris yang ditolak.",
        "no_flags": "Tidak ada catatan.",
        "sec_audit": "Peringatan audit",
        "sec_audit_note": (
            "Pemeriksaan GX atas tabel yang diterbitkan untuk tanggal ini. Peringatan tidak "
            "menahan penerbitan; pelanggaran berat menahannya (tanggal itu tidak "
            "diterbitkan). Untuk mutu data, yang diperiksa adalah berkas."
        ),
        "no_audit_warnings": "Tidak ada peringatan audit.",
        "col_table": "Tabel",
        "col_check": "Pemeriksaan",
        "col_unexpected_count": "Tidak lolos",
        "col_element_count": "Diperiksa",
        "audit_rejected_share_within_setting": (
            "Berkas yang diterima pada tanggal ini dengan bagian baris ditolak di atas batas "
            "(audit.max_rejected_share)"
        ),
        "sec_follow_up": "Desa yang perlu ditindaklanjuti",
        "sec_follow_up_note": (
            "Desa yang belum mengirim, yang berkas atau semua barisnya ditolak, terlambat, "
            "punya baris ditolak, atau capaiannya di bawah target. Kabupaten/kota yang belum "
            "satu pun usulan desanya dimuat ditindaklanjuti di tingkat kabupaten/kota."
        ),
        "silent_regencies": "Kabupaten/kota yang belum satu pun usulan desanya dimuat",
        "no_follow_up": "Tidak ada desa yang perlu ditindaklanjuti.",
        "follow_up_count": "{n} desa",
        "index_title": "Laporan cakupan",
        "index_dates": "Tanggal laporan",
        "col_regency": "Kabupaten/kota",
        "col_unit": "Wilayah",
        "col_workers_proposed": "Diusulkan",
        "col_workers_eligible": "Memenuhi syarat",
        "col_workers_covered": "Tercakup",
        "col_target_workers": "Target pekerja",
        "col_target_attainment_pct": "Capaian target (%)",
        "col_workforce_estimate": "Angkatan kerja rentan",
        "col_members_covered": "Peserta tercakup",
        "col_workforce_coverage_pct": "Cakupan angkatan kerja (%)",
        "col_workforce_target_pct": "Target cakupan (%)",
        "col_villages_expected": "Desa wajib kirim",
        "col_date": "Tanggal",
        "col_source": "Sumber",
        "col_status": "Status",
        "col_files": "Berkas",
        "col_rows_read": "Baris dibaca",
        "col_rows_loaded": "Baris dimuat",
        "col_rows_rejected": "Baris ditolak",
        "col_reason": "Alasan",
        "col_flag": "Catatan",
        "col_rows": "Baris",
        "col_village_code": "Kode desa",
        "col_village": "Desa",
        "col_district": "Kecamatan",
        "col_first_submitted_on": "Usulan pertama",
        "col_follow_up": "Perlu ditindaklanjuti karena",
        "col_measure": "Ukuran",
        "col_percent": "Persen",
        "status_missing": "Belum mengirim",
        "status_on_time": "Tepat waktu",
        "status_late": "Terlambat",
        "status_submitted": "Terkirim",
        "status_sent_rejected": "Terkirim, tidak ada yang dimuat",
        "source_village_submissions": "Usulan desa",
        "source_poverty_lists": "Data kemiskinan (DTSEN/DTKS)",
        "source_member_exports": "Data kepesertaan BPJS",
        "file_loaded": "Dimuat",
        "file_rejected_file": "Ditolak seluruhnya",
        "file_skipped_duplicate": "Dilewati (isi sama)",
        "reason_missing_required": "Kolom wajib kosong",
        "reason_nik_numeric_cell": "NIK diketik sebagai angka",
        "reason_invalid_nik": "NIK tidak sah",
        "reason_invalid_kpj": "Nomor KPJ tidak sah",
        "reason_unknown_village": "Kode desa tidak dikenal",
        "reason_invalid_date": "Tanggal tidak sah",
        "reason_invalid_value": "Isian tidak sah",
        "reason_duplicate_in_file": "NIK ganda dalam berkas",
        "reason_nik_birth_date_mismatch": "Tanggal lahir tidak cocok dengan NIK",
        "reason_nik_sex_mismatch": "Jenis kelamin tidak cocok dengan NIK",
        "reason_nik_outside_province": "NIK terbit di luar Sumatera Selatan",
        "follow_missing": "belum mengirim",
        "follow_file_rejected": "berkas ditolak: {error}",
        "follow_all_rows_rejected": "terkirim, semua baris ditolak — perbaiki {n} baris",
        "follow_late": "terlambat",
        "follow_rows_rejected": "ada baris ditolak",
        "follow_below_target": "usulan kurang dari target",
        "measure_workforce_coverage_pct": "Cakupan",
        "measure_workforce_target_pct": "Target",
    },
    "en": {
        "language_name": "English",
        "title": "BPJS Ketenagakerjaan coverage of vulnerable workers",
        "subtitle": "Sumatera Selatan province, as of {date}",
        "other_language": "Baca dalam Bahasa Indonesia",
        "index_link": "All report dates",
        "data_docs_link": "Audit of the published tables (GX Data Docs)",
        "province": "Sumatera Selatan province",
        "none": "–",
        "total": "Total",
        "chart_error": "The chart cannot be shown",
        "sec_attainment": "Attainment against target",
        "sec_attainment_note": (
            "Workers covered: vulnerable workers proposed by a village, of eligible age, whose "
            "contributions are paid through this month. Target: 100 workers per desa "
            "(kelurahan have none)."
        ),
        "chart_attainment": "Target attainment per regency (%)",
        "target_line": "target",
        "sec_workforce": "Coverage of the vulnerable workforce",
        "sec_workforce_note": (
            "Every covered member in the area against its estimated vulnerable workforce; "
            "only areas whose estimate is known."
        ),
        "chart_workforce": "Workforce coverage and its target (%)",
        "sec_status": "Village submissions",
        "sec_status_note": (
            "Desa only: kelurahan are not expected to submit. On time and late are judged "
            "against the regency's deadline; 'submitted' where the regency has none. "
            "'Missing': no row loaded yet, desa whose file or every row was rejected included "
            "(see the follow-up list)."
        ),
        "chart_status": "Desa by submission status",
        "sec_trend": "Workers covered over time",
        "sec_trend_note": "Every snapshot built up to the report date.",
        "chart_trend": "Workers covered per date",
        "forecast_title": "When the worker targets are reached",
        "forecast_note": (
            "Pace: the straight line that best fits the snapshots of the last few weeks (at "
            "least 3 snapshots). The dotted lines in the chart carry that pace on to the "
            "target, at most {days} days ahead."
        ),
        "outlook_on_pace": "At this pace, {unit} reaches {target} covered workers on {date}.",
        "outlook_not_at_pace": (
            "{unit}: the target of {target} covered workers is not reached at the current pace "
            "({pace} workers a week)."
        ),
        "outlook_reached": "{unit} has reached its target of {target} covered workers.",
        "outlook_no_forecast": (
            "{unit}: no forecast yet; a pace needs at least 3 snapshots within the last few weeks."
        ),
        "outlook_no_target": "{unit} has no worker target (it has no desa).",
        "projection": "projection",
        "sec_quality": "Data quality",
        "sec_quality_note": "Files received up to the report date.",
        "table_files": "Files by source and status",
        "table_rejections": "Rejected rows by reason",
        "table_flags": "Loaded rows with flags",
        "chart_rejections": "Rejected rows by reason",
        "no_rejections": "No row was rejected.",
        "no_flags": "No flags.",
        "sec_audit": "Audit warnings",
        "sec_audit_note": (
            "GX checks of the tables published for this date. A warning does not hold the "
            "snapshot back; a critical failure does (the date is not published). For data "
            "quality, the rows checked are files."
        ),
        "no_audit_warnings": "No audit warnings.",
        "col_table": "Table",
        "col_check": "Check",
        "col_unexpected_count": "Failing",
        "col_element_count": "Checked",
        "audit_rejected_share_within_setting": (
            "Files received on this date with a rejected share above the limit "
            "(audit.max_rejected_share)"
        ),
        "sec_follow_up": "Villages to follow up",
        "sec_follow_up_note": (
            "Desa that have not submitted, whose file or every row was rejected, submitted "
            "late, have rejected rows, or are below target. Regencies where no desa's list "
            "has loaded yet are followed up at regency level."
        ),
        "silent_regencies": "Regencies where no desa's list has loaded yet",
        "no_follow_up": "No village needs a follow-up.",
        "follow_up_count": "{n} desa",
        "index_title": "Coverage reports",
        "index_dates": "Report dates",
        "col_regency": "Regency",
        "col_unit": "Area",
        "col_workers_proposed": "Proposed",
        "col_workers_eligible": "Eligible",
        "col_workers_covered": "Covered",
        "col_target_workers": "Target workers",
        "col_target_attainment_pct": "Target attainment (%)",
        "col_workforce_estimate": "Vulnerable workforce",
        "col_members_covered": "Members covered",
        "col_workforce_coverage_pct": "Workforce coverage (%)",
        "col_workforce_target_pct": "Coverage target (%)",
        "col_villages_expected": "Desa expected",
        "col_date": "Date",
        "col_source": "Source",
        "col_status": "Status",
        "col_files": "Files",
        "col_rows_read": "Rows read",
        "col_rows_loaded": "Rows loaded",
        "col_rows_rejected": "Rows rejected",
        "col_reason": "Reason",
        "col_flag": "Flag",
        "col_rows": "Rows",
        "col_village_code": "Village code",
        "col_village": "Village",
        "col_district": "District",
        "col_first_submitted_on": "First submission",
        "col_follow_up": "Follow up because",
        "col_measure": "Measure",
        "col_percent": "Percent",
        "status_missing": "Missing",
        "status_on_time": "On time",
        "status_late": "Late",
        "status_submitted": "Submitted",
        "status_sent_rejected": "Sent, nothing loaded",
        "source_village_submissions": "Village submissions",
        "source_poverty_lists": "Poverty register (DTSEN/DTKS)",
        "source_member_exports": "BPJS membership exports",
        "file_loaded": "Loaded",
        "file_rejected_file": "Rejected as a whole",
        "file_skipped_duplicate": "Skipped (same content)",
        "reason_missing_required": "Required column empty",
        "reason_nik_numeric_cell": "NIK typed as a number",
        "reason_invalid_nik": "Invalid NIK",
        "reason_invalid_kpj": "Invalid KPJ number",
        "reason_unknown_village": "Unknown village code",
        "reason_invalid_date": "Invalid date",
        "reason_invalid_value": "Invalid value",
        "reason_duplicate_in_file": "NIK repeated in the file",
        "reason_nik_birth_date_mismatch": "Birth date disagrees with the NIK",
        "reason_nik_sex_mismatch": "Sex disagrees with the NIK",
        "reason_nik_outside_province": "NIK issued outside Sumatera Selatan",
        "follow_missing": "not submitted",
        "follow_file_rejected": "file rejected: {error}",
        "follow_all_rows_rejected": "sent, all rows rejected — fix {n} rows",
        "follow_late": "late",
        "follow_rows_rejected": "rows rejected",
        "follow_below_target": "fewer proposed than target",
        "measure_workforce_coverage_pct": "Coverage",
        "measure_workforce_target_pct": "Target",
    },
}


@cache
def _calendar(lang: str) -> tuple[list[str], list[str]]:
    """Month and weekday names of ``lang`` from pendulum's CLDR locale data."""
    import pendulum

    months = [pendulum.date(2025, m, 1).format("MMMM", locale=lang) for m in range(1, 13)]
    # 5 January 2025 is a Sunday: d3 wants the days from Sunday
    days = [pendulum.date(2025, 1, 5 + i).format("dddd", locale=lang) for i in range(7)]
    return months, days


_SEPARATORS = {"id": (".", ","), "en": (",", ".")}  # (thousands, decimal)


def labels(lang: str) -> Mapping[str, str]:
    """The labels of one language; a KeyError names an unknown language early."""
    if lang not in LABELS:
        raise KeyError(f"unknown report language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return LABELS[lang]


def label(lang: str, key: str) -> str:
    """One label; a code without a label (a new reason, say) is shown as itself."""
    return LABELS[lang].get(key, key.split("_", 1)[-1])


def format_number(value: Any, lang: str) -> str:
    """A count with grouped thousands, a percentage with 2 decimals, in the page's style."""
    if value is None:
        return LABELS[lang]["none"]
    thousands, decimal = _SEPARATORS[lang]
    text = f"{value:,.2f}" if isinstance(value, Decimal | float) else f"{int(value):,}"
    return text.translate({ord(","): thousands, ord("."): decimal})


def format_date(day: dt.date, lang: str) -> str:
    """A date as people write it: ``2 Juni 2025`` / ``2 June 2025``."""
    return f"{day.day} {_calendar(lang)[0][day.month - 1]} {day.year}"


def page_name(day: dt.date, lang: str) -> str:
    """File name of one date's page: ``2025-06-02.html`` (Indonesian), ``….en.html``."""
    suffix = "" if lang == DEFAULT_LANGUAGE else f".{lang}"
    return f"{day.isoformat()}{suffix}.html"


def vega_locales(lang: str) -> dict[str, Any]:
    """d3 number and time locales for vega-embed, so chart axes match the tables."""
    thousands, decimal = _SEPARATORS[lang]
    months, days = _calendar(lang)
    return {
        "formatLocale": {
            "decimal": decimal,
            "thousands": thousands,
            "grouping": [3],
            "currency": ["Rp", ""] if lang == "id" else ["IDR ", ""],
        },
        "timeFormatLocale": {
            "dateTime": "%A, %e %B %Y %X",
            "date": "%d/%m/%Y" if lang == "id" else "%m/%d/%Y",
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": days,
            "shortDays": [d[:3] for d in days],
            "months": months,
            "shortMonths": [m[:3] for m in months],
        },
    }
