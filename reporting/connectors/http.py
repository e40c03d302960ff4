"""The one HTTP path of the connectors: timeouts, backoff on throttling and server errors, and waiting.

`call()` sends a request with httpx and retries what a later try can fix — the network, 429 Too Many
Requests and 5xx — after `Retry-After` when the service says how long, else CONNECTOR_BACKOFF_SECONDS × 2ⁿ;
any other answer goes back to the connector, which knows the service's error shapes. `pause()` is every
wait (backoff, an offline report's `retryIn`): it reports to the running job (a heartbeat, so a long wait
never looks like a dead worker) and keeps the whole sync under CONNECTOR_MAX_WAIT_SECONDS.
"""
import contextvars
import logging
import time
from collections.abc import Callable
from contextlib import contextmanager

import httpx2 as httpx
from django.conf import settings
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError

logger = logging.getLogger(__name__)
RETRY_STATUSES = (420, 429, 500, 502, 503, 504)  # 420: Metrica's English docs name its quota answer so
MAX_RETRY_AFTER = 120.0
_on_wait: contextvars.ContextVar[Callable[[str], None] | None] = contextvars.ContextVar("connector_on_wait",
                                                                                          default=None)
_waited: contextvars.ContextVar[float] = contextvars.ContextVar("connector_waited", default=0.0)


class ConnectorError(ServiceError):
    """The service refused or answered something unusable; the message tells the AM what to do."""


class TokenExpired(ConnectorError):
    """The access token is expired or revoked (a connector with a refresh token refreshes it once)."""


@contextmanager
def waiting(on_wait: Callable[[str], None] | None):
    """Run a sync: waits call `on_wait(message)` (the job's progress tick) and share one time budget."""
    tokens = _on_wait.set(on_wait), _waited.set(0.0)
    try:
        yield
    finally:
        _on_wait.reset(tokens[0])
        _waited.reset(tokens[1])


def pause(seconds: float, message: str) -> None:
    seconds = max(0.0, float(seconds))
    spent = _waited.get() + seconds
    if spent > settings.CONNECTOR_MAX_WAIT_SECONDS:
        raise ConnectorError(_("The service kept us waiting for more than %(n)s minutes; the sync stopped. It "
                               "runs again with the next daily sync, or start it later.")
                             % {"n": int(settings.CONNECTOR_MAX_WAIT_SECONDS // 60)}, code="too_slow")
    _waited.set(spent)
    callback = _on_wait.get()
    if callback is not None:
        callback(message)
    time.sleep(seconds)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After") or response.headers.get("retryIn")
    try:
        return min(MAX_RETRY_AFTER, max(0.0, float(value))) if value is not None else None
    except ValueError:
        return None


def call(method: str, url: str, *, service: str, headers: dict | None = None, params: dict | None = None,
         json: object = None, data: dict | None = None) -> httpx.Response:
    """One request with retries of transient failures; the last answer (any status) is returned."""
    retries = max(1, settings.CONNECTOR_RETRIES)
    timeout = httpx.Timeout(settings.CONNECTOR_TIMEOUT_SECONDS, connect=min(settings.CONNECTOR_TIMEOUT_SECONDS, 10.0))
    for attempt in range(retries):
        last = attempt == retries - 1
        try:
            response = httpx.request(method, url, headers=headers, params=params, json=json, data=data,
                                     timeout=timeout)
        except httpx.TransportError as exc:
            logger.warning("%s: %s (attempt %s)", service, exc.__class__.__name__, attempt + 1)
            if last:
                raise ConnectorError(_("%(service)s did not answer (%(error)s). The sync will be tried again "
                                       "with the next daily run.") % {"service": service,
                                                                      "error": exc.__class__.__name__},
                                     code="unreachable") from exc
            pause(settings.CONNECTOR_BACKOFF_SECONDS * 2 ** attempt, _("%(service)s is unreachable; trying "
                                                                      "again…") % {"service": service})
            continue
        if response.status_code not in RETRY_STATUSES or last:
            return response
        wait = _retry_after(response)
        wait = settings.CONNECTOR_BACKOFF_SECONDS * 2 ** attempt if wait is None else wait
        logger.info("%s answered %s; waiting %.1f s", service, response.status_code, wait)
        pause(wait, _("%(service)s asks to slow down (HTTP %(status)s); waiting %(n)s s…")
              % {"service": service, "status": response.status_code, "n": round(wait)})
    raise AssertionError("unreachable")  # the loop returns or raises


def json_body(response: httpx.Response, *, service: str) -> dict:
    """The answer as a JSON object, or a clear error when the service answered something else."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ConnectorError(_("%(service)s answered something that is not its usual data (HTTP %(status)s). "
                               "Nothing was changed; the data synced before is kept.")
                             % {"service": service, "status": response.status_code}, code="garbage")
    return body


def garbage(service: str, detail: str) -> ConnectorError:
    return ConnectorError(_("%(service)s answered data we cannot read (%(detail)s). Nothing was changed; the "
                            "data synced before is kept.") % {"service": service, "detail": detail[:200]},
                          code="garbage")
