"""Staff pages of the connectors: connect a source (tokens, accounts, counters, campaigns) and sync it now."""
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import htmx_invalid, render_form
from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can

from . import selectors
from .forms_sync import ConnectionForm, SyncForm
from .models import DataSource
from .selectors_sync import credential_get, source_sync_context
from .services import connections, syncs
from .services import sources as source_services


@member_required("reporting.manage")
def source_connection_view(request, source_id):
    source = selectors.source_get(agency=request.agency, membership=request.membership, source_id=source_id)
    if source.kind == DataSource.Kind.FILE:
        messages.info(request, _("A file source has no connection: import a file instead."))
        return redirect("reporting:source_detail", source_id=source.pk)
    credential = credential_get(source=source)
    form = ConnectionForm(request.POST or None, source=source, credential=credential)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                source_services.source_update(agency=request.agency, actor=request.user, source=source,
                                              data=form.source_data())
                connections.credential_save(agency=request.agency, actor=request.user, source=source,
                                            **form.credentials())
                if request.POST.get("action") == "sync":
                    syncs.sync_start(agency=request.agency, actor=request.user, source=source)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Connection saved.") if request.POST.get("action") != "sync"
                             else _("Connection saved; the sync has started."))
            return redirect("reporting:source_detail", source_id=source.pk)
    return render_form(request, "reporting/source_connection.html", {
        "form": form, "source": source, "credential": credential, "nav": "reporting"}, invalid=bool(form.errors))


@require_POST
@member_required("reporting.manage")
def source_sync_view(request, source_id):
    """Start a sync of a period (default: the last days); the block shows its progress."""
    source = selectors.source_get(agency=request.agency, membership=request.membership, source_id=source_id)
    form = SyncForm(request.POST)
    error = None
    if form.is_valid():
        try:
            syncs.sync_start(agency=request.agency, actor=request.user, source=source,
                             date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"])
        except ServiceError as exc:
            add_service_error(form, exc)
            error = exc.message
    else:
        error = _("Check the dates of the period.")
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("The sync has started."))
        return redirect("reporting:source_detail", source_id=source.pk)
    context = {**sync_block_context(request, source), "sync_form": form}
    if error:
        return htmx_invalid(request, "reporting/_source_sync.html", context)
    return render(request, "reporting/_source_sync.html", context)


def sync_block_context(request, source: DataSource) -> dict:
    """The source page's connection block (also its HTMX answer)."""
    return {"source": source, "sync_form": SyncForm(), "can_manage": can(request.membership, "reporting.manage"),
            **source_sync_context(source=source)}
