"""The next step a finished proposals job offers (see mrm.jobs.next_steps)."""
from django.utils.translation import gettext as _

from mrm.jobs.next_steps import NextStep, download_step, register


@register("proposal.draft")
def _draft_step(job) -> NextStep | None:
    # The result is the editor of the new draft, not a file: never "Download".
    if not job.result_url:
        return None
    return NextStep(label=_("Open the draft"), url=job.result_url, icon="ti-file-text", primary=True)


@register("proposal.pdf")
def _pdf_step(job) -> NextStep | None:
    return download_step(job.result_url) if job.result_url else None
