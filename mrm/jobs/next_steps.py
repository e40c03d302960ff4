"""What a finished job offers next, by job kind: "Open the draft" for a drafted proposal, "Download" only
for a job whose result is a file. Apps register their kinds (in `AppConfig.ready`); unknown kinds fall
back to a download when there is a file, else to a plain "Open" link to `result_url`."""
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Job


@dataclass(frozen=True)
class NextStep:
    label: str
    url: str
    icon: str = "ti-arrow-right"
    primary: bool = False  # a button (the one thing to do now) rather than a quiet link


_REGISTRY: dict[str, Callable[[Job], "NextStep | None"]] = {}


def register(kind: str):
    """Decorator: `@register("proposal.draft") def _(job) -> NextStep | None`."""
    def decorator(builder: Callable[[Job], "NextStep | None"]):
        _REGISTRY[kind] = builder
        return builder
    return decorator


def download_step(url: str) -> NextStep:
    return NextStep(label=_("Download"), url=url, icon="ti-download")


def next_step(job: Job) -> NextStep | None:
    if job.status != Job.Status.SUCCEEDED:
        return None
    builder = _REGISTRY.get(job.kind)
    if builder is not None:
        return builder(job)
    if job.result_file:
        return download_step(job.result_url or reverse("jobs:download", args=[job.pk]))
    if job.result_url:
        return NextStep(label=_("Open"), url=job.result_url)
    return None
