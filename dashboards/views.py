"""The KPI dashboard pages: the tiles (`/dashboards/`), the clients behind a tile (`/dashboards/<metric>/`), the
per-AM table (`/dashboards/team/`) and a client's figures (`/dashboards/client/<id>/`, loaded into the client page).
Every table downloads as CSV or XLSX with `?export=csv|xlsx`, built by the same selectors as the page (so an export
never shows a figure the page would not)."""
import uuid
from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.selectors.companies import client_get
from mrm.core.exports import csv_response, xlsx_response
from mrm.core.htmx import htmx_invalid
from mrm.core.pagination import CappedPaginator, page_snapshot, requested_page
from mrm.jobs.selectors import job_get
from mrm.tenancy.permissions import member_required
from portal.models import NpsResponse

from . import board, selectors
from .figures_cache import cached_figures
from .forms import PeriodForm, default_custom
from .pdf import dashboard_pdf_start
from .periods import Period
from .templatetags.dashboards import kpi_value, status_text

PER_PAGE = 50
EXPORT_CAP = 10_000
DRILL_METRICS = board.METRICS


def _period(request) -> tuple[PeriodForm, Period]:
    form = PeriodForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    return form, form.period_for(timezone.localdate())


def _export(request, *, name: str, header: list, rows) -> HttpResponse | None:
    kind = request.GET.get("export")
    if kind == "csv":
        return csv_response(filename=f"{name}.csv", header=header, rows=rows)
    if kind == "xlsx":
        return xlsx_response(filename=f"{name}.xlsx", header=header, rows=rows, sheet_title=name)
    return None


def _base_context(request, form: PeriodForm, period: Period) -> dict:
    today = timezone.localdate()
    start, end = default_custom(today)
    return {"today": today, "in_progress": period.in_progress(today), "form": form, "period": period, "previous": period.previous(), "query": urlencode(period.query()),
            "period_params": period.query(), "kinds": form.fields["period"].choices, "custom_start": start, "custom_end": end, "nav": "dashboard"}


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


@member_required("dashboard.view")
def kpi_dashboard_view(request):
    form, period = _period(request)
    tiles = board.kpi_board(agency=request.agency, membership=request.membership, period=period)
    header = [_("KPI"), _("Period"), _("Value"), _("Unit"), _("Previous period"), _("Target"), _("Status")]
    exported = _export(request, name=f"kpi-{period.start:%Y%m%d}", header=header, rows=[
        [str(t.title), period.label, _plain(t.value), t.unit, _plain(t.previous), _plain(t.target),
         status_text(t.status)] for t in tiles])
    if exported:
        return exported
    context = {**_base_context(request, form, period), "tiles": tiles, "pdf_job": _pdf_job(request)}
    return render(request, "dashboards/kpi_dashboard.html", context, status=400 if form.errors else 200)


def _pdf_job(request):
    """The PDF job named by `?pdf_job=` (the page after a PDF was asked for without htmx): the member's own."""
    job_id = request.GET.get("pdf_job")
    if not job_id:
        return None
    try:
        return job_get(agency=request.agency, job_id=uuid.UUID(job_id), user=request.user,
                       role=request.membership.role)
    except (ValueError, Http404):
        return None


def _drill_rows(request, metric: str, period: Period, segment: str):
    """(header, queryset, row function) of the clients behind `metric`."""
    agency, membership = request.agency, request.membership
    plain = selectors.clients_q(membership=membership)
    nested = selectors.clients_q(membership=membership, prefix="client__")
    if metric == board.RETENTION:
        qs = selectors.retention_clients(agency=agency, q=plain, period=period, churned_only=segment == "churned")
        labels = dict(selectors.Client.Status.choices)
        return ([_("Client"), _("Account manager"), _("Status at start"), _("Status at end"), _("Churned in period"),
                 _("Churn reason")], qs,
                lambda c: [c.name, (c.owner.full_name or c.owner.email) if c.owner else "",
                           str(labels.get(c.status_start, "—")), str(labels.get(c.status_end, "—")),
                           _("yes") if c.left else _("no"), c.churn_reason if c.left else ""])
    if metric == board.NPS:
        qs = selectors.nps_answers(agency=agency, q=nested, period=period, segment=segment)
        return ([_("Client"), _("Contact"), _("Score"), _("Category"), _("Comment"), _("Answered")], qs,
                lambda r: [r.client.name, r.contact_name, r.score, str(NpsResponse.Category(r.category).label), r.comment,
                           timezone.localtime(r.answered_at).date()])
    if metric == board.REVENUE:
        qs = selectors.revenue_clients(agency=agency, q=nested, period=period)
        return ([_("Client"), _("Currency"), _("Paid in period"), _("Paid a year before"), _("Invoices")], qs,
                lambda r: [r["client__name"], r["currency"], _plain(r["paid"]), _plain(r["paid_year_ago"]),
                           r["invoices"]])
    if metric == board.UPSELL:
        qs = selectors.upsell_deals(agency=agency, q=nested, period=period)
        return ([_("Client"), _("Deal"), _("Type"), _("Amount"), _("Currency"), _("Won")], qs,
                lambda d: [d.client.name, d.title, str(d.get_kind_display()), _plain(d.amount), d.currency,
                           timezone.localtime(d.closed_at).date()])
    if metric == board.RESPONSE:
        qs = selectors.response_clients(agency=agency, q=nested, period=period)
        return ([_("Client"), _("Answered requests"), _("Median, business hours"), _("90th percentile, business hours"),
                 _("Within the agreed time, %")], qs,
                lambda r: [r["client__name"], r["answered"], _plain(board.kpis.minutes_to_hours(r["median"])),
                           _plain(board.kpis.minutes_to_hours(r["p90"])),
                           _plain(board.kpis.share_within(within=r["within"], measured=r["measured"]))])
    if metric == board.REPORTS:
        rated = selectors.clients_q(membership=membership, prefix=selectors.RATED_CLIENT)
        qs = selectors.report_ratings(agency=agency, q=rated, period=period)
        return ([_("Client"), _("Report"), _("Contact"), _("Rating, 1–5"), _("Comment"), _("Rated")], qs,
                lambda r: [r.report.client.name, r.report.title, r.contact.full_name, r.score, r.comment,
                           timezone.localtime(r.updated_at).date()])
    return [], None, None


@member_required("dashboard.view")
def kpi_drill_view(request, metric: str):
    if metric not in DRILL_METRICS:
        raise Http404
    form, period = _period(request)
    segment = request.GET.get("segment", "")
    # Only for a download: a generator's first iterable is evaluated at once, so `qs[:EXPORT_CAP]` would load up to
    # 10,000 rows on every page view (1–2 s of the drill-downs at 10,000 clients, h-dashbench).
    if request.GET.get("export"):
        header, qs, row = _drill_rows(request, metric, period, segment)
        exported = _export(request, name=f"kpi-{metric}-{period.start:%Y%m%d}", header=header,
                           rows=(row(item) for item in qs[:EXPORT_CAP])) if qs is not None else None
        if exported:
            return exported
    number = requested_page(request)
    header, page, rows = cached_figures(
        agency_id=request.agency.pk, membership=request.membership,
        question=("drill", metric, tuple(period.query().items()), segment, number),
        compute=lambda: _drill_page(request, metric, period, segment, number))
    context = {**_base_context(request, form, period), "metric": metric, "title": board.TITLES[metric],
               "segment": segment, "header": header, "page": page, "rows": rows,
               "nps_segments": [("", _("All answers")), ("detractors", _("Detractors (0–6)")),
                                ("passives", _("Passives (7–8)")), ("promoters", _("Promoters (9–10)"))]}
    return render(request, "dashboards/kpi_drill.html", context, status=400 if form.errors else 200)


def _drill_page(request, metric: str, period: Period, segment: str, number: int):
    """(header, page snapshot, rows) of one page of a drill-down: plain values, so the answer can be cached."""
    header, qs, row = _drill_rows(request, metric, period, segment)
    if qs is None:
        return header, None, []
    page = CappedPaginator(qs, PER_PAGE).get_page(number)
    return header, page_snapshot(page), [(_client_id(item), row(item)) for item in page.object_list]


def _client_id(item):
    """The client of a drill-down row (a model row or a values() dict), for the link to its page."""
    if isinstance(item, dict):
        return item.get("client_id")
    if isinstance(item, selectors.ReportRating):
        return item.report.client_id
    return item.pk if isinstance(item, selectors.Client) else getattr(item, "client_id", None)


TEAM_COLUMNS = (board.RETENTION, board.NPS, board.REVENUE, board.UPSELL, board.RESPONSE, board.REPORTS)


@member_required("dashboard.view")
def kpi_team_view(request):
    form, period = _period(request)
    rows = board.kpi_team(agency=request.agency, membership=request.membership, period=period)
    sort = request.GET.get("sort", "")
    descending = request.GET.get("dir", "desc") != "asc"
    if sort in TEAM_COLUMNS:
        present = [r for r in rows if r.sort_value(sort) is not None]
        missing = [r for r in rows if r.sort_value(sort) is None]
        rows = sorted(present, key=lambda r: r.sort_value(sort), reverse=descending) + missing
    elif sort == "name" and descending:
        rows = rows[::-1]
    header = [_("Account manager")] + [f"{board.TITLES[m]}" for m in TEAM_COLUMNS] + [_("Revenue growth, %/year")]
    exported = _export(request, name=f"kpi-team-{period.start:%Y%m%d}", header=header, rows=[
        [r.name] + [_plain(r.tiles[m].value) for m in TEAM_COLUMNS] + [_plain(r.tiles[board.REVENUE].judged)]
        for r in rows])
    if exported:
        return exported
    context = {**_base_context(request, form, period), "rows": rows, "columns": [
        (m, board.TITLES[m]) for m in TEAM_COLUMNS], "sort": sort, "dir": "desc" if descending else "asc"}
    return render(request, "dashboards/kpi_team.html", context, status=400 if form.errors else 200)


@member_required("dashboard.view")
def kpi_client_view(request, client_id):
    """One client's KPIs over the last twelve months against the twelve before (the client page's block)."""
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    today = timezone.localdate()
    period = Period.custom(today - timedelta(days=364), today)
    tiles = [t for t in board.kpi_board(agency=request.agency, membership=request.membership, period=period,
                                        client=client, trend=False) if t.metric != board.RETENTION]
    context = {"client": client, "tiles": tiles, "period": period, "query": urlencode(period.query()),
               "values": {t.metric: kpi_value(t.value, t.unit) for t in tiles}}
    template = "dashboards/client_block.html" if request.htmx else "dashboards/client_page.html"
    return render(request, template, context)


@require_POST
@member_required("dashboard.view")
def kpi_pdf_view(request):
    """Queue the dashboard's PDF for the chosen period; the progress (and then the download) replaces the button."""
    form = PeriodForm(request.POST)
    if not form.is_valid():
        errors = " ".join(str(e) for field_errors in form.errors.values() for e in field_errors)
        if request.htmx:  # the one invalid answer (422), which htmx swaps in place of the button's job slot
            return htmx_invalid(request, "dashboards/_pdf_error.html", {"error": errors})
        messages.error(request, errors)
        return redirect("dashboards:kpis")
    job = dashboard_pdf_start(agency=request.agency, membership=request.membership,
                              period=form.period_for(timezone.localdate()))
    if request.htmx:
        return render(request, "jobs/job_progress.html", {"job": job})
    return redirect(reverse("dashboards:kpis") + "?" + urlencode({**job.params["period"], "pdf_job": job.pk}))


def drill_url(metric: str, period: Period, **extra) -> str:
    return reverse("dashboards:drill", args=[metric]) + "?" + urlencode({**period.query(), **extra})
