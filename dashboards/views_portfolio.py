"""The portfolio page (`/dashboards/portfolio/`): lifetime value, real profit with hidden costs, concentration, the
KAM quadrant and the AM workload of the clients the member sees, for a period (revenue and profit; LTV is lifetime).
`?export=csv|xlsx&table=clients|workload` downloads a table with the page's search, filter and sort."""
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.core.pagination import requested_page
from mrm.tenancy.permissions import member_required

from . import portfolio as pf
from . import portfolio_board as board
from .portfolio_chart import MAX_BUBBLES, quadrant_svg
from .portfolio_read import portfolio_page
from .views import _base_context, _export, _period

PER_PAGE = 50
TABLES = ("clients", "workload")


def _direction(request, default: str) -> bool:
    return request.GET.get("dir", default) != "asc"


@member_required("dashboard.view")
def portfolio_view(request) -> HttpResponse:
    form, period = _period(request)
    agency = request.agency
    search, loss_only = request.GET.get("q", "")[:100], request.GET.get("loss") == "1"
    sort = request.GET.get("sort", "revenue")
    sort = sort if sort in board.CLIENT_SORTS else "revenue"
    descending = _direction(request, "asc" if sort == "name" else "desc")
    wsort = request.GET.get("wsort", "name")
    wsort = wsort if wsort in board.WORKLOAD_SORTS else "name"
    wdesc = request.GET.get("wdir", "asc" if wsort == "name" else "desc") != "asc"
    export = request.GET.get("export")
    table = request.GET.get("table", "clients")
    if export and (table not in TABLES or export not in ("csv", "xlsx")):
        return HttpResponse(_("Choose export=csv or xlsx and table=clients or workload."), status=400,
                            content_type="text/plain; charset=utf-8")
    number = requested_page(request)
    data = portfolio_page(agency=agency, membership=request.membership, period=period, today=timezone.localdate(),
                          search=search, loss_only=loss_only, sort=sort, descending=descending, page=number,
                          per_page=PER_PAGE, everything=bool(export and table == "clients"))
    loads = board.workload_table(data.workload, sort=wsort, descending=wdesc)
    if export:
        name = f"portfolio-{table}-{period.start:%Y%m%d}"
        if table == "clients":
            return _export(request, name=name, header=board.client_header(agency.currency),
                           rows=[board.client_export_row(r) for r in data.rows])
        return _export(request, name=name, header=board.workload_header(agency.currency),
                       rows=[board.workload_export_row(w) for w in loads])
    context = {
        **_base_context(request, form, period), "nav": "dashboard", "data": data, "totals": data.totals,
        "concentration": data.concentration, "rows": data.rows, "search": search, "loss_only": loss_only,
        "sort": sort, "dir": "desc" if descending else "asc", "loads": loads, "wsort": wsort,
        "wdir": "desc" if wdesc else "asc", "quadrant": data.quadrant,
        "quadrant_chart": quadrant_svg(points=data.quadrant.bubbles, currency=agency.currency),
        "max_bubbles": MAX_BUBBLES, "lifetime_cap": pf.LIFETIME_CAP_MONTHS, "default_minutes": pf.DEFAULT_MINUTES,
        "retention_pct": None if data.retention is None else data.retention * 100,
        "sort_columns": [("name", _("Client")), ("revenue", _("Revenue")), ("hidden", _("Hidden costs")),
                         ("profit", _("Real profit")), ("tenure", _("Tenure")), ("ltv", _("Projected LTV"))],
        "workload_columns": [("name", _("Account manager")), ("clients", _("Clients")), ("revenue", _("Revenue")),
                             ("hours", _("Hours")), ("profit", _("Real profit"))],
    }
    return render(request, "dashboards/portfolio.html", context, status=400 if form.errors else 200)
