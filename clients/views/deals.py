"""The pipeline: kanban board (drag and drop, or a stage select without JS), list, create/edit, client block."""
import uuid

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import htmx_invalid, render_form
from mrm.core.url_makers import url_maker, url_template
from mrm.tenancy.models import Membership, Role
from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can
from mrm.tenancy.selectors import staff_list

from ..block_cache import of_client
from ..caches import cached_board_html
from ..forms_pipeline import DealFilterForm, DealForm, DealMoveForm
from ..listing import custom_filter
from ..models import Deal, SavedView
from ..selectors import client_get, client_list
from ..selectors.custom_fields import custom_field_defs, custom_values_display
from ..selectors.deal_page import (
    DEAL_PAGE_ROWS,
    deal_interaction_list,
    deal_invoice_list,
    deal_stage_history,
    deal_task_list,
    stage_totals,
)
from ..selectors.deals import deal_board, deal_board_column, deal_filter, deal_get, deal_list
from ..selectors.pipelines import (
    forecast_by_month,
    forecast_by_stage,
    pipeline_get,
    pipeline_list,
    stage_get,
    stage_list,
)
from ..selectors.timeline import interaction_list
from ..services import deals as services
from . import task_rows
from ._blocks import register_block
from .deal_cards import with_card_fields
from .saved_views import default_view_redirect, saved_views_context

EDITORS = (Role.DIRECTOR, Role.AM)
PAGE_SIZE = 25
BOARD_MAX_OFFSET = 10_000  # deeper than that, the list view with its filters is the tool


def _owner_users(agency):
    return get_user_model().objects.filter(pk__in=Membership.objects.filter(
        agency=agency, is_active=True, role__in=EDITORS).values("user_id")).order_by("full_name")


def _filters(request) -> tuple[DealFilterForm, dict]:
    form = DealFilterForm(request.GET or None)
    return form, (form.cleaned_data if form.is_valid() else {})


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def _pipelines(request) -> list:
    """The agency's live pipelines, read once per request."""
    if not hasattr(request, "_pipelines"):
        request._pipelines = pipeline_list(agency=request.agency)
    return request._pipelines


def _stage_choices(request, pipelines) -> list:
    stages = stage_list(agency=request.agency, archived=False).filter(pipeline__in=[p.pk for p in pipelines])
    if len(pipelines) > 1:
        return [(str(s.pk), f"{s.pipeline.name} · {s.name}") for s in stages]
    return [(str(s.pk), s.name) for s in stages]


def _filter_context(request, form, filters, *, with_stages: bool = False) -> dict:
    client = None
    if filters.get("client"):
        client = client_list(agency=request.agency, membership=request.membership).filter(
            pk=filters["client"]).first()
    pipelines = _pipelines(request)
    return {
        "form": form, "filters": filters, "filter_client": client, "pipelines": pipelines,
        "pipeline_stages": _stage_choices(request, pipelines) if with_stages else [],
        "stages": Deal.Stage.choices, "kinds": Deal.Kind.choices,
        "owners": staff_list(agency=request.agency, roles=list(EDITORS)),
        "can_edit": can(request.membership, "deal.edit"), "nav": "deals",
        "filtered": any(filters.get(k) for k in ("q", "stage", "kind", "owner", "client", "pipeline", "stage_id")),
    }


BOARD_PARAMS = ("column", "offset")  # the lazy column chunk's own parameters, not filters


def _board_query(request) -> str:
    params = request.GET.copy()
    for key in BOARD_PARAMS:
        params.pop(key, None)
    return params.urlencode()


def _board_pipeline(request, filters: dict):
    """The pipeline the board shows: `?pipeline=<id>` (another agency's id: 404) or the default one."""
    if filters.get("pipeline"):
        return pipeline_get(agency=request.agency, pipeline_id=filters["pipeline"])
    return _pipelines(request)[0]


def _grid(columns) -> str:
    """Open columns share the width; won/lost columns are narrow, so a board fits a 1280 px screen."""
    opened = sum(1 for c in columns if not c.is_closed)
    closed = len(columns) - opened
    parts = [f"repeat({opened}, minmax(8.25rem, 1fr))" if opened else "",
             f"repeat({closed}, minmax(6.75rem, .7fr))" if closed else ""]
    return " ".join(p for p in parts if p)


def _board_frame(request, *, pipeline=None) -> tuple[dict, DealFilterForm, dict]:
    """What a board response shows besides its columns; the filter form and the filters."""
    form, filters = _filters(request)
    query = _board_query(request)
    base = reverse("clients:deal_board")
    context = {"query": query, "pipeline": pipeline or _board_pipeline(request, filters),
               "query_prefix": f"{query}&" if query else "", "board_url_base": base,
               "board_url": f"{base}?{query}" if query else base, "today": timezone.localdate(),
               "can_edit": request.membership.role in EDITORS,
               # kanban.js posts a move to this URL with the card's id in place of {id} (one URL per board)
               "move_url_template": url_template("clients:deal_move", slot="{id}"),
               "t_move": _("Move"), "t_close": _("Expected close"), "t_reason": _("Reason lost")}
    return context, form, filters


def _with_columns(request, context: dict, columns: list, *, board: bool) -> dict:
    """`context` with the columns (`board`: the whole board, else one lazy chunk) and what they sum up to."""
    with_card_fields([deal for col in columns for deal in col.deals], board_url=context["board_url"])
    return {**context, "columns": columns, "grid": _grid(columns) if board else "",
            "move_stages": [(c.stage, c.label, c.code) for c in columns if not c.is_archived] if board else [],
            "board_weighted": _sum_pairs([pair for col in columns if not col.is_closed for pair in col.weighted],
                                         request.agency.currency)}


def _board_context(request, *, column=None) -> dict:
    """The board computed now: one lazy column chunk, or the whole board after a move (`_board_page` serves the
    page itself from the cache)."""
    if column is not None:
        context, _form, _filters_ = _board_frame(request, pipeline=column.pipeline)
        return _with_columns(request, context, [column], board=False)
    context, form, filters = _board_frame(request)
    columns = deal_board(agency=request.agency, membership=request.membership, filters=filters,
                         pipeline=context["pipeline"], user=request.user)
    return {**_with_columns(request, context, columns, board=True), **_filter_context(request, form, filters)}


def _board_page(request) -> dict:
    """The board page's context with its columns rendered once (`#board`) and then served from the cache until
    a deal, client, stage or team of the agency changes (`clients.caches.cached_board_html`)."""
    context, form, filters = _board_frame(request)
    context.update(_filter_context(request, form, filters))

    def render_board() -> tuple[str, list]:
        columns = deal_board(agency=request.agency, membership=request.membership, filters=filters,
                             pipeline=context["pipeline"], user=request.user)
        board = _with_columns(request, context, columns, board=True)
        return render_to_string("clients/deal_board.html#board", board, request), board["move_stages"]

    html, move_stages = cached_board_html(
        membership=request.membership, pipeline_id=context["pipeline"].pk, filters=filters, user=request.user,
        parts=(get_language(), context["today"].isoformat(), context["board_url"], context["can_edit"],
               request.agency.currency), render=render_board)
    return {**context, "board_html": html, "move_stages": move_stages}


def _sum_pairs(pairs, main: str) -> list:
    sums: dict = {}
    for currency, amount in pairs:
        sums[currency] = sums.get(currency, 0) + amount
    return sorted(sums.items(), key=lambda t: (t[0] != main, t[0]))


def _board_column(request):
    """The lazy chunk of one column (`?column=<stage id>&offset=<n>`), or None when the parameters are bad;
    another agency's stage: 404."""
    try:
        offset = int(request.GET.get("offset", ""))
        stage_id = uuid.UUID(request.GET.get("column", ""))
    except ValueError:
        return None
    if not 0 < offset <= BOARD_MAX_OFFSET:
        return None
    stage = stage_get(agency=request.agency, stage_id=stage_id)
    _form, filters = _filters(request)
    column = deal_board_column(agency=request.agency, membership=request.membership, filters=filters, stage=stage,
                               offset=offset, user=request.user)
    column.pipeline = stage.pipeline
    return column


@member_required("deal.view")
def deal_board_view(request):
    if "column" in request.GET:
        column = _board_column(request)
        if column is None:
            raise Http404
        context = _board_context(request, column=column)
        return render(request, "clients/deal_board.html#cards", {**context, "col": column})
    context = _board_page(request)
    if request.htmx and request.htmx.target == "board":
        return HttpResponse(context["board_html"])
    return render(request, "clients/deal_board.html", context)


@member_required("deal.view")
def deal_list_view(request):
    if (response := default_view_redirect(request, SavedView.List.DEALS)) is not None:
        return response
    form, filters = _filters(request)
    qs = deal_filter(deal_list(agency=request.agency, membership=request.membership), filters=filters,
                     user=request.user)
    qs, custom = custom_filter(qs, defs=custom_field_defs(agency=request.agency, entity="deal"), params=request.GET)
    forecast_stages, forecast_months = forecast_by_stage(qs), forecast_by_month(qs)
    # the list's money totals per currency, from the per-stage forecast rows (no extra query)
    totals = _sum_pairs([(r.currency, r.total) for r in forecast_stages], request.agency.currency)
    sort = filters.get("sort") or "-created_at"
    page = Paginator(qs.order_by(sort, "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {**_filter_context(request, form, filters, with_stages=True), "page": page, "totals": totals, "sort": sort,
               "forecast_stages": forecast_stages, "forecast_months": forecast_months,
               "forecast_weighted": _sum_pairs([(r.currency, r.weighted) for r in forecast_months],
                                               request.agency.currency),
               "today": timezone.localdate(), "list_url": reverse("clients:deal_list"), "custom": custom,
               **saved_views_context(request, SavedView.List.DEALS)}
    context["filtered"] = context["filtered"] or custom.active
    if request.htmx and request.htmx.target == "results":
        return render(request, "clients/deal_list.html#results", context)
    return render(request, "clients/deal_list.html", context)


RECENT_CLIENT_INTERACTIONS = 5  # shown when nothing is logged against the deal itself


@member_required("deal.view")
def deal_detail_view(request, deal_id):
    """The deal page: header, stage history with the time in each stage, its КП and versions, briefs, tasks,
    timeline entries and invoices. A constant number of queries."""
    from proposals.selectors import briefs_for_deal, proposals_for_deal

    agency, membership = request.agency, request.membership
    deal = deal_get(agency=agency, membership=membership, deal_id=deal_id)
    now = timezone.now()
    spans = deal_stage_history(agency=agency, deal=deal, now=now)
    interactions = list(deal_interaction_list(agency=agency, membership=membership, deal=deal)[:DEAL_PAGE_ROWS])
    recent = [] if interactions else list(
        interaction_list(agency=agency, membership=membership, client=deal.client)[:RECENT_CLIENT_INTERACTIONS])
    back = _next_url(request, "")
    context = {
        "deal": deal, "client": deal.client, "nav": "deals", "now": now, "today": timezone.localdate(),
        "spans": list(reversed(spans)), "totals": stage_totals(spans),
        "life": (deal.closed_at or now) - deal.created_at,
        "proposals": proposals_for_deal(agency=agency, membership=membership, deal=deal),
        "briefs": briefs_for_deal(agency=agency, membership=membership, deal=deal),
        "interactions": interactions, "recent_interactions": recent,
        "tasks": task_rows.with_links(deal_task_list(agency=agency, membership=membership, deal=deal)[:DEAL_PAGE_ROWS],
                                      next_url=request.get_full_path()),
        "invoices": list(deal_invoice_list(agency=agency, membership=membership, deal=deal)[:DEAL_PAGE_ROWS]),
        "service_lines": [Deal.ServiceLine(v).label for v in deal.service_lines if v in Deal.ServiceLine.values],
        "can_edit": can(membership, "deal.edit"), "can_add_task": can(membership, "task.edit"), "back_url": back or reverse("clients:deal_board"),
        "page_url": request.get_full_path(),
        "custom_values": custom_values_display(agency=agency, entity="deal", records=[deal]).get(deal.pk, []),
    }
    # projects (shell): the deal's projects, for those who may see projects
    from projects.selectors_shell import deal_projects_context

    context.update(deal_projects_context(request, deal))
    return render(request, "clients/deal_detail.html", context)


def _deal_form(request, *, data=None, instance=None, initial=None) -> DealForm:
    return DealForm(data, instance=instance, initial=initial,
                    clients=client_list(agency=request.agency, membership=request.membership).order_by("name"),
                    owners=_owner_users(request.agency), agency=request.agency,
                    custom_defs=custom_field_defs(agency=request.agency, entity="deal"),
                    pipelines=pipeline_list(agency=request.agency, archived=True),
                    stages=stage_list(agency=request.agency))


def _start_stage(request):
    """The new deal's column: `?pipeline=<id>` and/or `?stage=<code>` (bad or foreign ids: the default)."""
    from ..services.pipelines import stage_for_code

    pipeline = None
    try:
        if request.GET.get("pipeline"):
            pipeline = pipeline_get(agency=request.agency, pipeline_id=uuid.UUID(request.GET["pipeline"]))
    except (Http404, ValueError):
        pipeline = None
    code = request.GET.get("stage") if request.GET.get("stage") in Deal.Stage.values else Deal.Stage.NEW
    try:
        return stage_for_code(agency=request.agency, code=code, pipeline=pipeline)
    except ServiceError:
        return stage_for_code(agency=request.agency, code=Deal.Stage.NEW, pipeline=pipeline)


@member_required("deal.edit")
def deal_create_view(request):
    initial = {"owner": request.user.pk}
    start = _start_stage(request)
    initial.update({"pipeline": start.pipeline_id, "pipeline_stage": start.pk})
    client = None
    if request.GET.get("client"):
        try:
            client = client_get(agency=request.agency, membership=request.membership, client_id=request.GET["client"])
        except (Http404, ValidationError):  # a bad or foreign id just means "no client preselected"
            client = None
        if client is not None:
            initial["client"] = client.pk
            initial["owner"] = client.owner_id or request.user.pk
    form = _deal_form(request, data=request.POST or None, initial=initial)
    default_next = reverse("clients:detail", args=[client.pk]) + "#section-deals" if client else \
        reverse("clients:deal_board")
    if request.method == "POST" and form.is_valid():
        try:
            deal = services.deal_create(agency=request.agency, actor=request.user, data=form.cleaned_with_custom())
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Deal “%(title)s” created.") % {"title": deal.title})
            return redirect(_next_url(request, default_next))
    return render_form(request, "clients/deal_form.html", {"form": form, "client": client, "nav": "deals",
                                                      "next": _next_url(request, default_next)}, invalid=bool(form.errors))


@member_required("deal.edit")
def deal_edit_view(request, deal_id):
    deal = deal_get(agency=request.agency, membership=request.membership, deal_id=deal_id)
    form = _deal_form(request, data=request.POST or None, instance=deal)
    default_next = reverse("clients:deal_detail", args=[deal.pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.deal_update(agency=request.agency, actor=request.user, deal=deal,
                                 data=form.cleaned_with_custom())
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Deal saved."))
            return redirect(_next_url(request, default_next))
    return render_form(request, "clients/deal_form.html", {"form": form, "deal": deal, "client": deal.client, "nav": "deals",
                                                      "next": _next_url(request, default_next)}, invalid=bool(form.errors))


@require_POST
@member_required("deal.edit")
def deal_move_view(request, deal_id):
    """Kanban move: drag and drop posts here with HTMX (the board comes back re-rendered, totals included);
    without JS the card's stage select posts here and we redirect back. A lost deal needs a reason."""
    deal = deal_get(agency=request.agency, membership=request.membership, deal_id=deal_id)
    form = DealMoveForm(request.POST, agency=request.agency, stages=stage_list(
        agency=request.agency, pipeline=deal.pipeline_stage.pipeline, archived=False))
    if form.is_valid():
        before = None
        if form.cleaned_data.get("before"):
            before = deal_list(agency=request.agency, membership=request.membership).filter(
                pk=form.cleaned_data["before"]).first()
        try:
            services.deal_move(agency=request.agency, actor=request.user, deal=deal, stage=form.cleaned_data["stage"],
                               before=before, lost_reason=form.cleaned_data.get("lost_reason") or "")
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            if request.htmx:
                return render(request, "clients/deal_board.html#board", _board_context(request))
            target = form.cleaned_data["stage"]
            messages.success(request, _("“%(title)s” moved to %(stage)s.") % {
                "title": deal.title, "stage": target.name if hasattr(target, "name") else Deal.Stage(target).label})
            return redirect(_next_url(request, reverse("clients:deal_board")))
    if request.htmx:
        errors = [message for messages_ in form.errors.values() for message in messages_]
        context = {**_board_context(request), "move_error": errors}  # the board of the filtered pipeline
        return htmx_invalid(request, "clients/deal_board.html#board", context)
    return htmx_invalid(request, "clients/deal_move.html", {
        "deal": deal, "form": form, "nav": "deals", "next": _next_url(request, reverse("clients:deal_board"))})


def _deals_block(request, client) -> dict:
    open_first = Case(When(stage__in=Deal.OPEN_STAGES, then=Value(0)), default=Value(1), output_field=IntegerField())
    # The page's client passed client_get: its deals are visible, no second visibility filter (issue 15).
    qs = Deal.objects.filter(agency=request.agency, client=client).select_related("owner", "pipeline_stage")
    deals = list(qs.order_by(open_first, "position", "-created_at")[:8])
    count = len(deals) if len(deals) < 8 else qs.order_by().aggregate(n=Count("pk"))["n"]
    page, back = url_maker("clients:deal_detail"), "?next=" + reverse("clients:detail", args=[client.pk]) + "%23section-deals"
    for deal in deals:
        deal.open_url = page(deal.pk) + back
    return {"deals": deals, "count": count, "more": count - len(deals),
            "can_edit": can(request.membership, "deal.edit")}


DEALS = register_block(key="deals", template="clients/blocks/deals.html", column="main", order=6,
                       context=_deals_block, rows=(of_client("clients.Deal"),))
