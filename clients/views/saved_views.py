"""Saved views of the client, deal and task lists: save the current filters + sort + columns, switch, update,
delete one's own, share with the agency (read-only for the others), open a list with a default view."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.tenancy.permissions import member_required

from ..forms_custom import SavedViewForm, SavedViewRenameForm
from ..listing import view_url_query
from ..models import SavedView
from ..selectors.custom_fields import saved_view_default, saved_view_get, saved_view_list
from ..services import saved_views as services

LIST_URLS = {SavedView.List.CLIENTS: "clients:list", SavedView.List.DEALS: "clients:deal_list",
             SavedView.List.TASKS: "clients:task_list"}
# POST keys of the save form itself; everything else posted (the list's filter form, via hx-include) is the query.
FORM_KEYS = {"csrfmiddlewaretoken", "name", "shared", "make_default", "list_key", "query", "replace_query", "page",
             "view"}


def _view_url(view: SavedView) -> str:
    return f"{reverse(LIST_URLS[view.list_key])}?{view_url_query(view)}"


def _posted_query(request) -> str:
    """The list's filters: the filter form's fields when HTMX included them, else the hidden `query`."""
    extra = request.POST.copy()
    for key in FORM_KEYS:
        extra.pop(key, None)
    return extra.urlencode() if extra else request.POST.get("query", "")


def _current_view(request, list_key: str) -> SavedView | None:
    value = request.GET.get("view")
    if not value:
        return None
    try:
        view = saved_view_get(agency=request.agency, user=request.user, view_id=value)
    except ValidationError:
        raise Http404 from None
    if view.list_key != list_key:
        raise Http404
    return view


def saved_views_context(request, list_key: str) -> dict:
    """The switcher of a list page (one query; two with `?view=`)."""
    if getattr(request, "saved_views_context", None) is not None:
        return request.saved_views_context
    views = saved_view_list(agency=request.agency, user=request.user, list_key=list_key)
    for view in views:
        view.url = _view_url(view)
    default = next((v for v in views if v.is_default), None)
    query = request.GET.copy()
    for key in ("page", "view"):
        query.pop(key, None)
    return {"saved": {"list_key": list_key, "views": views, "current": _current_view(request, list_key),
                      "default_id": default.pk if default else None, "query": query.urlencode(),
                      "list_url": reverse(LIST_URLS[list_key]),
                      "form": SavedViewForm(initial={"query": query.urlencode()})}}


def default_view_redirect(request, list_key: str):
    """A list opened bare (no parameters) goes to the user's default view, if they have one. The switcher's
    context is computed here once and kept on the request (no second query for it)."""
    context = saved_views_context(request, list_key)
    request.saved_views_context = context
    if request.GET or request.htmx:
        return None
    default = next((v for v in context["saved"]["views"] if v.is_default), None)
    return redirect(default.url) if default is not None else None


def _go(request, url: str) -> HttpResponse:
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@require_POST
@member_required("view.save")
def saved_view_create_view(request):
    list_key = request.POST.get("list_key", "")
    if list_key not in LIST_URLS:
        raise Http404
    form = SavedViewForm(request.POST)
    if form.is_valid():
        try:
            view = services.saved_view_create(
                agency=request.agency, user=request.user, list_key=list_key, name=form.cleaned_data["name"],
                query=_posted_query(request), shared=form.cleaned_data["shared"],
                make_default=form.cleaned_data["make_default"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
            return _go(request, _view_url(view))
    form.data = form.data.copy()
    form.data["query"] = _posted_query(request)  # a retry keeps the list's filters
    return render_form(request, "clients/saved_view_form.html#form" if request.htmx else "clients/saved_view_form.html",
                       {"form": form, "list_key": list_key, "list_url": reverse(LIST_URLS[list_key])}, invalid=True)


@member_required("view.save")
def saved_view_edit_view(request, view_id):
    view = saved_view_get(agency=request.agency, user=request.user, view_id=view_id, own=True)
    default = saved_view_default(agency=request.agency, user=request.user, list_key=view.list_key)
    initial = {"name": view.name, "shared": view.shared, "make_default": default is not None and default.pk == view.pk}
    initial["query"] = request.GET.get("query", "")[:2000]  # the list's filters when "Edit view" was clicked
    form = SavedViewRenameForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.saved_view_update(agency=request.agency, user=request.user, view=view, name=data["name"],
                                       shared=data["shared"], make_default=data["make_default"],
                                       query=_posted_query(request) if data["replace_query"] else None)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("View saved."))
            return _go(request, _view_url(view))
    template = "clients/saved_view_form.html#form" if request.htmx else "clients/saved_view_form.html"
    return render_form(request, template, {"form": form, "view": view, "list_key": view.list_key,
                                           "list_url": reverse(LIST_URLS[view.list_key])},
                       invalid=bool(form.errors))


@require_POST
@member_required("view.save")
def saved_view_delete_view(request, view_id):
    view = saved_view_get(agency=request.agency, user=request.user, view_id=view_id, own=True)
    services.saved_view_delete(agency=request.agency, user=request.user, view=view)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return _go(request, reverse(LIST_URLS[view.list_key]) + "?view=")


@require_POST
@member_required("view.save")
def saved_view_default_view(request, view_id):
    """Open the list with this view (own or shared); posting `clear` opens it unfiltered again."""
    view = saved_view_get(agency=request.agency, user=request.user, view_id=view_id)
    clear = bool(request.POST.get("clear"))
    services.saved_view_make_default(agency=request.agency, user=request.user, view=None if clear else view,
                                     list_key=view.list_key)
    messages.success(request, _("The list opens unfiltered.") if clear else
                     _("The list opens with “%(name)s”.") % {"name": view.name})
    return _go(request, _view_url(view))
