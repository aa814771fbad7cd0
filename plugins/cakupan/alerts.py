"""Alerts: a DAG run failed, or the day's coverage snapshot was not ready in time.

One message format (README, "Alerts") goes to one channel: an e-mail through Airflow's SMTP
provider (the Airflow connection ``alerts.smtp_conn_id``) or a JSON POST to a webhook. The
destination is read when an alert is sent, in the process sending it (the DAG processor for
failures, the triggerer for deadline misses), so no secret is ever stored in a DAG.

Personal data: a message names the DAG, the run, the failed tasks and dates, and links to the
task log. It never carries exception text, params or who triggered the run: a task's error
can quote a row of a village's file (a NIK), so that stays in the task log behind the link.

Delivery failures are logged and swallowed: an alert must never fail a run or a component.
Cheap to import (DAG files import it at parse time): httpx and the SMTP hook load on send.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import pendulum
from airflow.sdk import AsyncCallback, BaseNotifier, DeadlineAlert, DeadlineReference

from cakupan.config import current
from cakupan.logs import get_logger
from cakupan.settings import AlertSettings

log = get_logger(__name__)

WIB = pendulum.timezone("Asia/Jakarta")
EVENT_DAG_FAILED = "dag_failed"
EVENT_DEADLINE_MISSED = "deadline_missed"
# Every message has exactly these keys (README, "Alerts").
MESSAGE_FIELDS = (
    "event",
    "dag_id",
    "run_id",
    "logical_date",
    "run_date",
    "failed_tasks",
    "deadline",
    "url",
    "text",
)
DEADLINE_NAME = "cakupan_snapshot_ready"


# --- the message -------------------------------------------------------------------------


def _get(obj: Any, name: str) -> Any:
    """A field of a context item: Airflow passes objects to DAG callbacks, JSON dicts to
    deadline callbacks."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _moment(value: Any) -> pendulum.DateTime | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        return pendulum.parse(value)  # type: ignore[return-value]
    return pendulum.instance(value)


def _wib(moment: pendulum.DateTime | None) -> str | None:
    return moment.in_timezone(WIB).isoformat() if moment is not None else None


def _base_url() -> str:
    from airflow.sdk.configuration import conf

    return conf.get("api", "base_url", fallback="http://localhost:8080/").rstrip("/")


def _run_url(dag_id: str | None, run_id: str | None) -> str:
    if dag_id is None or run_id is None:
        return _base_url()
    return f"{_base_url()}/dags/{quote(dag_id)}/runs/{quote(run_id)}"


def _str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _message(
    event: str,
    dag_id: str | None,
    run_id: str | None,
    logical_date: pendulum.DateTime | None,
    run_after: pendulum.DateTime | None,
    failed_tasks: list[str],
    deadline: pendulum.DateTime | None,
    url: str,
) -> dict[str, Any]:
    moment = logical_date or run_after
    run_date = moment.in_timezone(WIB).date().isoformat() if moment is not None else None
    if event == EVENT_DAG_FAILED:
        failed = ", ".join(failed_tasks) or "no task failed (the run timed out or deadlocked)"
        text = f"cakupan: DAG {dag_id} failed, run {run_id} ({run_date}). Failed: {failed}."
    else:
        by = deadline.in_timezone(WIB).strftime("%H:%M") if deadline is not None else "?"
        text = (
            f"cakupan: DAG {dag_id} run {run_id} ({run_date}) was not done by {by} WIB: "
            "the coverage snapshot is late."
        )
    return {
        "event": event,
        "dag_id": dag_id,
        "run_id": run_id,
        "logical_date": _wib(logical_date),
        "run_date": run_date,
        "failed_tasks": failed_tasks,
        "deadline": _wib(deadline),
        "url": url,
        "text": f"{text} {url}",
    }


def failure_message(context: Mapping[str, Any]) -> dict[str, Any]:
    """The ``dag_failed`` message from a DAG failure callback's context.

    Airflow hands a DAG callback the task whose failure failed the run (``ti``), or only the
    DAG and run id when it has none; ``failed_tasks`` is that task, and ``url`` its log.
    """
    ti = context.get("ti")
    dag_run = context.get("dag_run")
    dag_id = _str(
        _get(context.get("dag"), "dag_id") or _get(dag_run, "dag_id") or _get(ti, "dag_id")
    )
    run_id = _str(context.get("run_id") or _get(dag_run, "run_id") or _get(ti, "run_id"))
    failed: list[str] = []
    url = _run_url(dag_id, run_id)
    if ti is not None and _get(ti, "task_id"):
        map_index = _get(ti, "map_index")
        suffix = f"[{map_index}]" if isinstance(map_index, int) and map_index >= 0 else ""
        failed.append(f"{_get(ti, 'task_id')}{suffix}")
        url = _get(ti, "log_url") or url
    return _message(
        EVENT_DAG_FAILED,
        dag_id,
        run_id,
        _moment(context.get("logical_date") or _get(dag_run, "logical_date")),
        _moment(_get(dag_run, "run_after")),
        failed,
        None,
        url,
    )


def deadline_alert_wanted(dag_run: Any, deadline: pendulum.DateTime | None) -> bool:
    """Whether a missed deadline means "the day's snapshot is late".

    The daily (scheduled) run always alerts. A backfill of an old date, or a re-run queued
    after its deadline had passed, could never meet it: those are not alerted.
    """
    run_type = str(_get(dag_run, "run_type") or "")
    if run_type == "backfill":
        return False
    if run_type == "scheduled" or deadline is None:
        return True
    queued_at = _moment(_get(dag_run, "queued_at"))
    return queued_at is None or queued_at <= deadline


def deadline_message(context: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``deadline_missed`` message from a deadline callback's context, or None when the
    miss is not worth an alert (see :func:`deadline_alert_wanted`).

    Airflow 3.3 gives deadline callbacks ``{"dag_run": <the run as the REST API returns it,
    JSON>, "deadline": {"id": ..., "deadline_time": ...}}``.
    """
    dag_run = context.get("dag_run") or {}
    deadline = _moment(_get(context.get("deadline"), "deadline_time"))
    if not deadline_alert_wanted(dag_run, deadline):
        return None
    dag_id = _str(_get(dag_run, "dag_id"))
    run_id = _str(_get(dag_run, "dag_run_id") or _get(dag_run, "run_id"))
    return _message(
        EVENT_DEADLINE_MISSED,
        dag_id,
        run_id,
        _moment(_get(dag_run, "logical_date")),
        _moment(_get(dag_run, "run_after")),
        [],
        deadline,
        _run_url(dag_id, run_id),
    )


# --- delivery ----------------------------------------------------------------------------


def _email(message: Mapping[str, Any]) -> tuple[str, str]:
    """Subject and HTML body; every value escaped."""
    if message["event"] == EVENT_DAG_FAILED:
        subject = f"[cakupan] DAG {message['dag_id']} failed ({message['run_date']})"
    else:
        subject = f"[cakupan] coverage snapshot late: {message['dag_id']} ({message['run_date']})"
    rows = "".join(
        f"<tr><th align='left'>{html.escape(key)}</th><td>{html.escape(str(value))}</td></tr>"
        for key, value in message.items()
        if key not in ("text", "url")
    )
    url = html.escape(str(message["url"]), quote=True)
    body = (
        f"<p>{html.escape(str(message['text']))}</p>"
        f"<p><a href='{url}'>{url}</a></p><table>{rows}</table>"
    )
    return subject, body


def _where(url: str | None) -> str:
    """A webhook URL fit for a log line: scheme and host, never the path holding the token."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "?"


def _why(exc: BaseException) -> dict[str, Any]:
    """What went wrong, without echoing a webhook URL (httpx errors quote it)."""
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if type(exc).__module__.startswith("httpx"):
        return {"error": type(exc).__name__, "status": status}
    return {"error": type(exc).__name__, "detail": str(exc)[:300]}


def _skip(message: Mapping[str, Any], alerts: AlertSettings) -> bool:
    if alerts.channel == "none":
        log.info(
            "alert_not_sent",
            reason="alerts.channel is none",
            alert=message["event"],
            dag_id=message["dag_id"],
            run_id=message["run_id"],
        )
        return True
    return False


def _delivery(message: Mapping[str, Any], alerts: AlertSettings) -> dict[str, Any]:
    """Log fields of one delivery: which alert, where to (a webhook by host only)."""
    target = _where(alerts.webhook_url) if alerts.channel == "webhook" else alerts.smtp_conn_id
    return {
        "alert": message["event"],
        "dag_id": message["dag_id"],
        "run_id": message["run_id"],
        "channel": alerts.channel,
        "to": target,
    }


def _sent(message: Mapping[str, Any], alerts: AlertSettings) -> None:
    log.info("alert_sent", **_delivery(message, alerts))


def _failed(message: Mapping[str, Any], alerts: AlertSettings, exc: BaseException) -> None:
    log.error("alert_not_delivered", **_delivery(message, alerts), **_why(exc))


def _smtp_email(message: Mapping[str, Any], alerts: AlertSettings) -> dict[str, Any]:
    """The SmtpHook arguments of one alert, the same for the sync and the async send."""
    subject, body = _email(message)
    return {
        "to": list(alerts.email_to),
        "from_email": alerts.email_from,
        "subject": subject,
        "html_content": body,
    }


def deliver(message: Mapping[str, Any], alerts: AlertSettings) -> bool:
    """Send ``message`` on the configured channel (blocking). False when not sent; never
    raises, so a broken mail server cannot break the component running the callback."""
    if _skip(message, alerts):
        return False
    try:
        if alerts.channel == "webhook":
            import httpx

            response = httpx.post(
                str(alerts.webhook_url),
                json=dict(message),
                timeout=alerts.webhook_timeout_s,
                headers={"User-Agent": "cakupan-alerts"},
            )
            response.raise_for_status()
        else:
            from airflow.providers.smtp.hooks.smtp import SmtpHook

            with SmtpHook(smtp_conn_id=alerts.smtp_conn_id) as hook:
                hook.send_email_smtp(**_smtp_email(message, alerts))
    except Exception as exc:
        _failed(message, alerts, exc)
        return False
    _sent(message, alerts)
    return True


async def adeliver(message: Mapping[str, Any], alerts: AlertSettings) -> bool:
    """:func:`deliver` for the triggerer's event loop: no blocking call."""
    if _skip(message, alerts):
        return False
    try:
        if alerts.channel == "webhook":
            import httpx

            async with httpx.AsyncClient(timeout=alerts.webhook_timeout_s) as client:
                response = await client.post(
                    str(alerts.webhook_url),
                    json=dict(message),
                    headers={"User-Agent": "cakupan-alerts"},
                )
                response.raise_for_status()
        else:
            from airflow.providers.smtp.hooks.smtp import SmtpHook

            async with SmtpHook(smtp_conn_id=alerts.smtp_conn_id) as hook:
                await hook.asend_email_smtp(**_smtp_email(message, alerts))
    except Exception as exc:
        _failed(message, alerts, exc)
        return False
    _sent(message, alerts)
    return True


# --- what the DAGs use -------------------------------------------------------------------


class CakupanNotifier(BaseNotifier):
    """Sends the ``dag_failed`` alert: a DAG's ``on_failure_callback``.

    With no ``alerts`` given, the destination is read from the settings and the
    environment when the alert is sent, in the process sending it.
    """

    def __init__(self, alerts: AlertSettings | None = None) -> None:
        super().__init__()
        self.alerts = alerts

    def _alerts(self) -> AlertSettings:
        return self.alerts if self.alerts is not None else current().settings().alerts

    def render_template_fields(self, context: Any, jinja_env: Any = None) -> None:
        """Nothing to render (no template fields). Skipping it also matters: under
        ``dag.test()`` (``cakupan run``) the context's ``dag`` is a SerializedDAG, which has no
        Jinja environment, and BaseNotifier's rendering would raise before ``notify``."""
        return

    def notify(self, context: Any) -> None:
        try:
            deliver(failure_message(context), self._alerts())
        except Exception as exc:  # a settings or context problem: logged, never raised
            log.error("alert_not_built", alert=EVENT_DAG_FAILED, error=type(exc).__name__)

    async def async_notify(self, context: Any) -> None:
        try:
            await adeliver(failure_message(context), self._alerts())
        except Exception as exc:
            log.error("alert_not_built", alert=EVENT_DAG_FAILED, error=type(exc).__name__)


async def snapshot_deadline_missed(context: Mapping[str, Any] | None = None, **_: Any) -> None:
    """Deadline callback, run by the triggerer: the coverage run was not done in time."""
    try:
        message = deadline_message(context or {})
        if message is None:
            dag_run = (context or {}).get("dag_run")
            log.info(
                "alert_not_sent",
                reason="backfill or re-run queued after its deadline",
                alert=EVENT_DEADLINE_MISSED,
                dag_id=_get(dag_run, "dag_id"),
                run_id=_get(dag_run, "dag_run_id"),
            )
            return
        await adeliver(message, current().settings().alerts)
    except Exception as exc:
        log.error("alert_not_built", alert=EVENT_DEADLINE_MISSED, error=type(exc).__name__)


def deadline_interval(ready_by: dt.time, scheduled_at: dt.time) -> dt.timedelta:
    """From the daily run's logical time (06:30 WIB) to the time the snapshot must be ready.

    Negative when ``ready_by`` is earlier: every daily run is then late, which a test can use.
    """
    day = dt.date(2000, 1, 1)
    return dt.datetime.combine(day, ready_by) - dt.datetime.combine(day, scheduled_at)


def snapshot_deadline_alert(ready_by: dt.time, scheduled_at: dt.time) -> DeadlineAlert:
    """The coverage DAG's Deadline Alert: the daily run of day D done by ``ready_by`` WIB on D.

    Airflow's built-in reference is the run's logical date, 06:30 WIB on D for the daily run,
    so the interval is ``ready_by - 06:30``. Runs without a logical date (asset-triggered)
    get no deadline of their own: Airflow skips them, and day D's daily run carries it.
    """
    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_LOGICAL_DATE,
        interval=deadline_interval(ready_by, scheduled_at),
        callback=AsyncCallback(snapshot_deadline_missed),
        name=DEADLINE_NAME,
    )


def snapshot_deadline_for(
    logical_date: dt.datetime | None, ready_by: dt.time, scheduled_at: dt.time
) -> dt.datetime | None:
    """The deadline Airflow sets for a run: its logical date plus the interval, or none."""
    if logical_date is None:
        return None
    return logical_date + deadline_interval(ready_by, scheduled_at)
