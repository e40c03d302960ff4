from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.core.pagination import CappedPaginator
from mrm.core.url_makers import url_maker
from mrm.tenancy.models import Membership, Role
from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can

from .. import exports
from ..caches import cached_staff
from ..forms import ClientFilterForm, ClientForm
from ..forms_workspace import ClientCreateForm
from ..listing import custom_filter
from ..models import Client, SavedView
from ..sections import render_deferred_sections, render_sections
from ..selectors import client_get, client_list
from ..selectors.client_lookups import client_duplicates, client_search_ids, industry_list, tag_list
from ..selectors.custom_fields import custom_field_defs
from ..selectors.numbers import client_key_numbers_cached, key_numbers_part
from ..selectors.onboarding import onboarding_progress_fill
from ..services import companies as services
from .saved_views import default_view_redirect, saved_views_context

PAGE_SIZES = ("25", "50", "100")  # ?per=50: a longer page, e.g. to tick 50 clients for a bulk action


def _owner_choices(agency):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        pk__in=Membership.objects.filter(agency=agency, is_active=True, role__in=[Role.DIRECTOR, Role.AM])
        .values("user_id")
    )


def _filtered_clients(request):
    """The client list as filtered, searched and sorted in the URL (the page and the exports share it)."""
    form = ClientFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = client_list(agency=request.agency, membership=request.membership)
    if filters.get("q"):
        qs = qs.filter(pk__in=client_search_ids(agency=request.agency, query=filters["q"]))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("owner"):
        qs = qs.filter(owner__uuid=filters["owner"]) if filters["owner"] != "none" else qs.filter(owner=None)
    if filters.get("industry"):
        qs = qs.filter(industry=filters["industry"])
    if filters.get("tag"):
        qs = qs.filter(tags__name=filters["tag"])
    qs, custom = custom_filter(qs, defs=custom_field_defs(agency=request.agency, entity="client"), params=request.GET)
    qs = qs.order_by(filters.get("sort") or "name", "pk").prefetch_related("tags")
    request.custom_listing = custom  # the page shows its inputs and columns; the exports their columns
    return form, filters, qs


def _list_rows(clients: list[Client]) -> list[Client]:
    """Each row's link, status label and tag names, computed once per page: a `{% url %}`, a
    get_status_display() and a prefetched tag manager per row were half of the rows' time (issue 15)."""
    detail, labels = url_maker("clients:detail"), {value: str(label) for value, label in Client.Status.choices}
    tags: dict = {}
    for client_id, name in (Client.tags.through.objects.filter(client_id__in=[c.pk for c in clients])
                            .order_by("tag__name").values_list("client_id", "tag__name")):
        tags.setdefault(client_id, []).append(name)
    for client in clients:
        client.detail_url, client.status_label = detail(client.pk), labels.get(client.status, client.status)
        client.tag_names = tags.get(client.pk, [])
    return clients


@member_required("client.view")
def client_list_view(request):
    if (response := default_view_redirect(request, SavedView.List.CLIENTS)) is not None:
        return response
    form, filters, qs = _filtered_clients(request)
    per_page = request.GET.get("per") if request.GET.get("per") in PAGE_SIZES else PAGE_SIZES[0]
    page = CappedPaginator(qs.prefetch_related(None), int(per_page)).get_page(request.GET.get("page"))
    page.object_list = _list_rows(onboarding_progress_fill(list(page.object_list), agency=request.agency))
    template = "clients/client_list.html#results" if request.htmx and request.htmx.target == "results" else \
        "clients/client_list.html"
    return render(request, template, {
        "page": page, "form": form, "statuses": Client.Status.choices,
        "owners": cached_staff(agency=request.agency, roles=[Role.DIRECTOR, Role.AM]),
        "sort": filters.get("sort") or "name",
        "industries": industry_list(agency=request.agency), "tags": tag_list(agency=request.agency),
        "page_sizes": PAGE_SIZES, "per_page": per_page,
        "can_edit": can(request.membership, "client.edit"),  # the bulk actions besides the export
        "filtered": any(filters.get(k) for k in ("q", "status", "owner", "industry", "tag")) or request.custom_listing.active,
        "custom": request.custom_listing, **saved_views_context(request, SavedView.List.CLIENTS),
    })


@member_required("client.view")
def client_export_csv_view(request):
    """The filtered list as CSV (UTF-8 with BOM so Excel opens Cyrillic right)."""
    _form, _filters, qs = _filtered_clients(request)
    return exports.client_export_csv(qs, custom=request.custom_listing.defs)


@member_required("client.view")
def client_export_xlsx_view(request):
    _form, _filters, qs = _filtered_clients(request)
    return exports.client_export_xlsx(qs, custom=request.custom_listing.defs)


@member_required("client.create")
def client_create_view(request):
    form = ClientCreateForm(request.POST or None, owners=_owner_choices(request.agency),
                            custom_defs=custom_field_defs(agency=request.agency, entity="client"),
                            initial={"owner": request.user.pk, "status": Client.Status.LEAD})
    duplicates = []
    if request.method == "POST" and form.is_valid():
        duplicates = client_duplicates(agency=request.agency, membership=request.membership,
                                       name=form.cleaned_data["name"])
        if duplicates and not form.cleaned_data["confirm_duplicate"]:
            form.add_error("name", _("A client with this name already exists. Check it is not the same company, "
                                     "then tick “Create anyway”."))
        else:
            data = {k: v for k, v in form.cleaned_with_custom().items() if k not in ("tag_names", "confirm_duplicate")}
            try:
                client = services.client_create(agency=request.agency, actor=request.user, data=data,
                                                tag_names=form.cleaned_data["tag_names"])
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Client %(name)s created.") % {"name": client.name})
                return redirect("clients:detail", client_id=client.pk)
    # The confirmation is drawn inside the duplicate warning, never among the ordinary fields.
    del form.fields["confirm_duplicate"]
    return render_form(request, "clients/client_form.html", {"form": form, "duplicates": duplicates},
                       invalid=bool(form.errors))


@member_required("client.view")
def client_detail_view(request, client_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    sections = render_sections(request, client, also=[key_numbers_part()])  # first: one fingerprint query for both
    return render(request, "clients/client_detail.html", {
        "client": client, "tags": client.tags.all(), "sections": sections,
        "numbers": client_key_numbers_cached(request=request, client=client),
    })


@member_required("client.view")
def client_blocks_view(request, client_id):
    """The client page's deferred blocks (asked for by the page on load), each swapped out of band into its
    placeholder; the same blocks, context and templates as if the page had rendered them itself."""
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    return render(request, "clients/deferred_blocks.html",
                  {"client": client, "blocks": render_deferred_sections(request, client)})


@member_required("client.edit")
def client_edit_view(request, client_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    form = ClientForm(request.POST or None, instance=client, owners=_owner_choices(request.agency),
                      custom_defs=custom_field_defs(agency=request.agency, entity="client"))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_with_custom().items() if k != "tag_names"}
        try:
            services.client_update(agency=request.agency, actor=request.user, client=client, data=data,
                                   tag_names=form.cleaned_data["tag_names"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("clients:detail", client_id=client.pk)
    return render_form(request, "clients/client_form.html", {"form": form, "client": client},
                       invalid=bool(form.errors))
