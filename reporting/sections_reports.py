"""The reports block on the client page (registered with the CRM's section registry): the latest reports."""
from clients.block_cache import of_client
from clients.sections import Section, register

SHOWN = 5


def _context(request, client) -> dict:
    from mrm.tenancy.policy import can

    from .selectors_reports import report_latest

    if not can(request.membership, "report.view"):
        return {"hidden": True, "reports": [], "count": 0}
    reports = report_latest(agency=request.agency, membership=request.membership, client=client, limit=SHOWN)
    return {"hidden": False, "reports": reports, "count": 0,
            "can_manage": can(request.membership, "report.manage")}


register(Section(key="reports", template="reporting/reports/client_section.html", column="main", order=46,
                 context=_context, deferred=True, rows=(of_client("reporting.Report"),)))


def _register_job_step() -> None:
    """A finished build offers "Open the report" (reloads the page with the fresh numbers and texts)."""
    from django.utils.translation import gettext as _

    from mrm.jobs.next_steps import NextStep
    from mrm.jobs.next_steps import register as register_step

    @register_step("report.build")
    def _report_built(job):
        return NextStep(label=_("Open the report"), url=job.result_url, icon="ti-report-analytics", primary=True) \
            if job.result_url else None


_register_job_step()
