"""cakupan.preload: slow imports on a second thread, joined where they are needed."""

from __future__ import annotations

import threading

import pytest

from cakupan.preload import Preload


def test_steps_run_in_order_on_another_thread_and_wait_joins_them():
    ran: list[tuple[str, str]] = []
    release = threading.Event()

    def first() -> None:
        release.wait(timeout=5)
        ran.append(("first", threading.current_thread().name))

    def second() -> None:
        ran.append(("second", threading.current_thread().name))

    preload = Preload(first, second)
    assert ran == []  # the caller goes on while the steps wait
    release.set()
    preload.wait()
    assert ran == [("first", "cakupan-preload"), ("second", "cakupan-preload")]
    preload.wait()  # a second wait returns at once


def test_a_failed_step_is_raised_where_the_caller_waits_and_stops_the_steps_after_it():
    ran: list[str] = []

    def broken() -> None:
        raise ImportError("no module named 'great_expectations'")

    preload = Preload(broken, lambda: ran.append("after"))
    with pytest.raises(ImportError, match="great_expectations"):
        preload.wait()
    assert ran == []


def test_the_snapshot_preloads_what_its_python_models_and_audit_import():
    """The steps the snapshot hands to Preload import GX and Splink and build the suites,
    so the audit and linkage find them done (both are kept per process)."""
    import sys

    from cakupan.checks.audit import _batch_definition, prepare_audit
    from cakupan.checks.suites import AUDITED_TABLES, load_suite
    from cakupan.marts.linkage import prepare_linkage

    Preload(prepare_linkage, prepare_audit).wait()
    assert {"splink", "great_expectations"} <= set(sys.modules)
    assert load_suite.cache_info().currsize == len(AUDITED_TABLES)
    assert _batch_definition.cache_info().currsize == len(AUDITED_TABLES)
