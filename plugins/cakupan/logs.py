"""Structured logging: event names with key=value fields, routed into Airflow's task logs."""

from __future__ import annotations

import logging

import structlog


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A structlog logger; under Airflow it renders into the task log, elsewhere to stderr."""
    return structlog.get_logger(name)


def quiet_noisy_libraries() -> None:
    """Great Expectations logs every doc decorator at INFO and draws progress bars."""
    for noisy in ("great_expectations", "great_expectations._docs_decorators", "py.warnings"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
