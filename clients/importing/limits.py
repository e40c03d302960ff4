"""Memory and time caps for the import jobs (reading a file, running the import).

The archive check refuses zip bombs by their declared sizes; these caps are the second fence for
whatever gets past it (a workbook of millions of tiny cells, a CSV that is one giant field): the job
fails with a clear message instead of taking the worker down.

- memory: `RLIMIT_AS` of the worker process is lowered to what it uses now plus a budget and restored
  afterwards, so an allocation beyond the budget raises MemoryError inside the job (Linux; elsewhere
  there is no cap but the time limit still holds);
- time: a deadline the readers check while iterating rows (`check_deadline`), besides the Celery soft
  time limit of the tasks, which needs the prefork pool to fire.
"""
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError

try:
    import resource
except ImportError:  # not on Linux/macOS
    resource = None


def memory_budget() -> int:
    return getattr(settings, "MRM_IMPORT_MEMORY_MB", 1024) * 1024 * 1024


def time_limit() -> int:
    return getattr(settings, "MRM_IMPORT_TIME_LIMIT", 600)


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * resource.getpagesize()


def too_much_memory() -> ServiceError:
    return ServiceError(_("This file needs more memory than an import may use. Split it into smaller files or "
                          "save it as CSV."), field="file", code="memory")


def too_slow() -> ServiceError:
    return ServiceError(_("Reading this file took longer than %(n)s seconds, so we stopped. Split it into smaller "
                          "files or save it as CSV.") % {"n": time_limit()}, field="file", code="timeout")


class _Deadline:
    at: float | None = None


_deadline = _Deadline()


def check_deadline() -> None:
    if _deadline.at is not None and time.monotonic() > _deadline.at:
        raise too_slow()


@contextmanager
def job_limits() -> Iterator[None]:
    """Run the body under the memory and time caps; MemoryError becomes a ServiceError the user reads."""
    previous_deadline = _deadline.at
    _deadline.at = time.monotonic() + time_limit()
    previous = None
    if resource is not None and memory_budget() > 0:
        used = _address_space()
        if used is not None:
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            wanted = used + memory_budget()
            if soft == resource.RLIM_INFINITY or wanted < soft:
                if hard != resource.RLIM_INFINITY:
                    wanted = min(wanted, hard)
                resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
                previous = (soft, hard)
    try:
        yield
    except MemoryError:
        raise too_much_memory() from None
    finally:
        if previous is not None:
            resource.setrlimit(resource.RLIMIT_AS, previous)
        _deadline.at = previous_deadline
