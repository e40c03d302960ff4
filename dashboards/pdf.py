"""The KPI dashboard as a PDF for a board meeting: a Celery job (WeasyPrint) that renders the same tiles, trend
charts (inline SVG) and per-AM table the member sees on the page for the chosen period, the portfolio's totals and
concentration with the clients that earn least, and the clients at risk with their signals, into the job's file.

The job keeps the period's URL parameters and the asking member; the worker checks the member may still see the
dashboard and computes the figures with the member's visibility, so an AM's PDF holds only their clients."""
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mrm.core.business_hours import zone
from mrm.core.errors import ServiceError
from mrm.integrations import pdf
from mrm.jobs.models import Job
from mrm.jobs.services import job_create, job_progress, job_succeed
from mrm.tenancy.models import Agency, Membership
from mrm.tenancy.policy import can

from . import board, health
from .forms import PeriodForm
from .health_rollups import health_ready
from .health_selectors import HealthQuery, health_list
from .periods import Period
from .portfolio_read import portfolio_page

KIND = "dashboards.pdf"


def dashboard_pdf_start(*, agency: Agency, membership: Membership, period: Period) -> Job:
    """Queue the PDF of the KPI dashboard for `period` (after commit); the job page polls it."""
    job = job_create(agency=agency, actor=membership.user, kind=KIND,
                     title=_("KPI dashboard PDF: %(period)s") % {"period": period.label},
                     params={"period": period.query(), "membership": membership.pk})
    from .tasks import dashboard_pdf_task

    dashboard_pdf_task.delay_on_commit(agency_id=agency.pk, job_id=str(job.pk))
    return job


def _member(*, agency: Agency, job: Job) -> Membership:
    membership = (Membership.objects.filter(agency=agency, pk=job.params.get("membership"), user=job.created_by)
                  .select_related("user", "agency").first())
    if membership is None or not can(membership, "dashboard.view"):
        raise ServiceError(_("You may no longer see the KPI dashboard, so the PDF was not made."))
    return membership


AT_RISK_ROWS = 10
PORTFOLIO_ROWS = 10


def _at_risk(*, agency: Agency, membership: Membership) -> list[dict] | None:
    """The clients at risk with the most revenue at stake, explained; None while the health was never built."""
    if not health_ready(agency=agency):
        return None
    rows = health_list(agency=agency, membership=membership, query=HealthQuery())[:AT_RISK_ROWS]
    return [{"item": row, "signals": [health.explain(s) for s in row.signals if s.get("points")][:3],
             "action": health.action_text(row.action_key, row.action_params)} for row in rows]


def dashboard_pdf_context(*, agency: Agency, membership: Membership, period: Period) -> dict:
    tiles = board.kpi_board(agency=agency, membership=membership, period=period)
    team = board.kpi_team(agency=agency, membership=membership, period=period) if membership.is_director else []
    portfolio = portfolio_page(agency=agency, membership=membership, period=period, sort="profit",
                               descending=False, per_page=PORTFOLIO_ROWS)
    return {"agency": agency, "period": period, "previous": period.previous(), "tiles": tiles, "team": team,
            "portfolio": portfolio, "at_risk": _at_risk(agency=agency, membership=membership),
            "columns": [(m, board.TITLES[m]) for m in board.METRICS], "made_at": timezone.localtime(),
            "made_by": membership.user, "brand": agency.brand_color or "#1F6FEB",
            "in_progress": period.in_progress(timezone.localdate())}


def dashboard_pdf_run(*, agency: Agency, job: Job) -> None:
    membership = _member(agency=agency, job=job)
    form = PeriodForm(job.params.get("period") or {})
    if not form.is_valid():
        raise ServiceError(_("The period of this PDF is not valid: %(errors)s") % {
            "errors": " ".join(str(e) for errors in form.errors.values() for e in errors)})
    language = getattr(membership.user, "language", "") or translation.get_language() or "ru"
    with translation.override(language), timezone.override(zone(agency.timezone)):
        period = form.period_for(timezone.localdate())
        job_progress(job=job, progress=20, message=_("Computing the figures…"))
        html = render_to_string("dashboards/kpi_pdf.html",
                                dashboard_pdf_context(agency=agency, membership=membership, period=period))
        job_progress(job=job, progress=60, message=_("Rendering the PDF…"))
        content = pdf.render_pdf(html=html)
        message = _("The PDF is ready")
    job.result_file.save(f"kpi-dashboard-{period.start:%Y%m%d}-{job.pk}.pdf", ContentFile(content), save=False)
    job_succeed(job=job, message=message, result_url=reverse("jobs:download", args=[job.pk]),
                result_file=job.result_file.name)
