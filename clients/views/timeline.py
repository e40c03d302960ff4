import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.core.pagination import peek_page, requested_page
from mrm.core.url_makers import url_maker
from mrm.tenancy.permissions import member_required

from ..block_cache import of_client, through_client
from ..forms_workspace import InteractionForm
from ..models import Interaction
from ..selectors import client_get
from ..selectors.numbers import client_key_numbers
from ..selectors.timeline import interaction_get, interaction_list
from ..services import interactions as services
from ._blocks import htmx_form_error, register_block

PAGE_SIZE = 10


def _can_change(request, interaction) -> bool:
    return services.can_change_interaction(membership=request.membership, interaction=interaction)


def _page(request, client, number: int = 1, *, counted: bool = False):
    """A page of the client's timeline. The client page and "show more" read one item past the page to know
    whether more follow (no COUNT of the whole history); the full-history page counts, for its page links."""
    qs = interaction_list(agency=request.agency, membership=request.membership, client=client).prefetch_related(None)
    if counted:
        page = Paginator(qs, PAGE_SIZE).get_page(number)
    else:
        page = peek_page(qs, number=number, size=PAGE_SIZE)
    page.object_list = _with_item_links(request, client, list(page.object_list))
    return page


def _with_item_links(request, client, items: list[Interaction]) -> list[Interaction]:
    """What an item shows besides its own fields, computed once per render: whether the member may change it,
    its URLs and its participants' names (one values query, not a prefetched manager per item)."""
    edit, delete = (url_maker("clients:interaction_edit", client.pk),
                    url_maker("clients:interaction_delete", client.pk))
    names: dict = {}
    for interaction_id, name in (Interaction.contacts.through.objects.filter(
            interaction_id__in=[i.pk for i in items]).order_by("contact__full_name")
            .values_list("interaction_id", "contact__full_name")):
        names.setdefault(interaction_id, []).append(name)
    for item in items:
        item.can_change = _can_change(request, item)
        item.edit_url, item.delete_url = edit(item.pk), delete(item.pk)
        item.participants = ", ".join(names.get(item.pk, []))
    return items


def _log_form(request, client, data=None, reply_to: Interaction | None = None) -> InteractionForm:
    initial = {}
    if reply_to is not None:
        initial = {"reply_to": reply_to.pk, "kind": reply_to.kind, "direction": Interaction.Direction.OUTBOUND,
                   "contacts": list(reply_to.contacts.all())}
    return InteractionForm(data, client=client, agency=request.agency, initial=initial)


def _timeline_context(request, client) -> dict:
    return {"page": _page(request, client), "form": _log_form(request, client), "reply_to": None,
            **_item_urls(client)}


def _item_urls(client) -> dict:
    return {"log_url": reverse("clients:interaction_create", args=[client.pk]),
            "history_url": reverse("clients:timeline", args=[client.pk])}


TIMELINE = register_block(key="timeline", template="clients/blocks/timeline.html", column="main", order=10, rows=(
                              of_client("clients.Interaction"), of_client("clients.Contact"),
                              through_client("clients.Interaction.contacts", parent="clients.Interaction",
                                             column="interaction_id")),
                          context=_timeline_context)


def _item_context(client) -> dict:
    return {"client": client, "block": _item_urls(client)}


@member_required("interaction.view")
def timeline_view(request, client_id):
    """All of a client's interactions, page by page; the "show more" button fetches the next items only."""
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    page = _page(request, client, requested_page(request), counted=not request.htmx)
    context = {**_item_context(client), "tl_page": page}
    if request.htmx:
        return render(request, "clients/blocks/timeline.html#items", context)
    return render(request, "clients/timeline_page.html", context)


def _log_form_html(request, client, form, reply_to=None, oob=False) -> str:
    return render_to_string("clients/blocks/timeline.html#log", {
        "client": client, "block": {"form": form, "reply_to": reply_to, **_item_urls(client)}, "oob": oob}, request=request)


@member_required("interaction.log")
def interaction_create_view(request, client_id):
    """The quick log: HTMX prepends the new item and resets the form; without JS a plain form page."""
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    reply_to = None
    reply_id = request.POST.get("reply_to") or request.GET.get("reply_to")
    if reply_id:
        reply_to = interaction_list(agency=request.agency, membership=request.membership, client=client).filter(
            pk=reply_id).first() if _is_uuid(reply_id) else None
    form = _log_form(request, client, request.POST or None, reply_to=reply_to)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("contacts", "reply_to")}
        try:
            interaction = services.interaction_log(agency=request.agency, actor=request.user, client=client,
                                                   data=data, contacts=form.cleaned_data["contacts"],
                                                   reply_to=form.cleaned_data.get("reply_to"))
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            if not request.htmx:
                messages.success(request, _("Logged."))
                return redirect(reverse("clients:detail", args=[client.pk]) + "#section-timeline")
            return _logged_response(request, client, interaction)
    if request.htmx:
        response = HttpResponse(_log_form_html(request, client, form, reply_to))
        if request.method == "POST":
            return htmx_form_error(request, response, target="#timeline-log")
        return response
    return render_form(request, "clients/interaction_form.html", {"client": client, "form": form, "reply_to": reply_to},
                       invalid=bool(form.errors))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _logged_response(request, client, interaction):
    interaction = interaction_get(agency=request.agency, membership=request.membership,
                                  interaction_id=interaction.pk, client=client)
    ctx = _item_context(client)
    interaction, = _with_item_links(request, client, [interaction])
    parts = [render_to_string("clients/blocks/timeline.html#item", {**ctx, "i": interaction}, request=request),
             _log_form_html(request, client, _log_form(request, client), oob=True),
             render_to_string("clients/client_detail.html#numbers", {
                 "client": client, "numbers": client_key_numbers(agency=request.agency, client=client),
                 "oob": True}, request=request)]
    if interaction.reply_to_id:
        original, = _with_item_links(request, client, [interaction_get(
            agency=request.agency, membership=request.membership, interaction_id=interaction.reply_to_id,
            client=client)])
        parts.append(render_to_string("clients/blocks/timeline.html#item",
                                      {**ctx, "i": original, "oob": True}, request=request))
    return HttpResponse("".join(parts))


@member_required("interaction.log")
def interaction_edit_view(request, client_id, interaction_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    interaction = interaction_get(agency=request.agency, membership=request.membership,
                                  interaction_id=interaction_id, client=client)
    if not _can_change(request, interaction):
        raise PermissionDenied
    form = InteractionForm(request.POST or None, instance=interaction, client=client, agency=request.agency,
                           initial={"contacts": list(interaction.contacts.all())})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("contacts", "reply_to")}
        try:
            services.interaction_update(agency=request.agency, actor=request.user, interaction=interaction,
                                        data=data, contacts=form.cleaned_data["contacts"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("clients:detail", args=[client.pk]) + "#section-timeline")
    return render_form(request, "clients/interaction_form.html",
                  {"client": client, "form": form, "interaction": interaction}, invalid=bool(form.errors))


@require_POST
@member_required("interaction.log")
def interaction_delete_view(request, client_id, interaction_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    interaction = interaction_get(agency=request.agency, membership=request.membership,
                                  interaction_id=interaction_id, client=client)
    if not _can_change(request, interaction):
        raise PermissionDenied
    services.interaction_delete(agency=request.agency, actor=request.user, interaction=interaction)
    if request.htmx:
        return HttpResponse(render_to_string("clients/client_detail.html#numbers", {
            "client": client, "numbers": client_key_numbers(agency=request.agency, client=client), "oob": True},
            request=request))
    messages.success(request, _("Deleted."))
    return redirect(reverse("clients:detail", args=[client.pk]) + "#section-timeline")
