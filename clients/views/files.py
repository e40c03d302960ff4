from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrm.core.htmx import render_form
from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can

from ..block_cache import of_client
from ..forms_workspace import ClientFileForm
from ..selectors import client_get
from ..selectors.documents import client_file_get, client_file_list
from ..services import files as services
from ._blocks import register_block, render_block

FILES_SHOWN = 10


def _can_delete(request, client_file) -> bool:
    return can(request.membership, "file.manage") or client_file.uploaded_by_id == request.user.pk


def _files_context(request, client) -> dict:
    files = list(client_file_list(agency=request.agency, client=client)[:FILES_SHOWN + 1])
    return {"files": files[:FILES_SHOWN], "more": len(files) > FILES_SHOWN, "upload_form": ClientFileForm(),
            "can_manage": can(request.membership, "file.manage"), "user_id": request.user.pk}


FILES = register_block(key="files", template="clients/blocks/files.html", column="side", order=30,
                       context=_files_context, deferred=True, rows=(of_client("clients.ClientFile"),))


def _back(client):
    return redirect(reverse("clients:detail", args=[client.pk]) + "#section-files")


@member_required("file.upload")
def client_file_upload_view(request, client_id):
    """Upload a document (20 MB, office/image/archive types checked by extension and content)."""
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    form = ClientFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        client_file = services.client_file_upload(
            agency=request.agency, actor=request.user, client=client, upload=form.cleaned_data["file"],
            name=form.cleaned_data["name"], kind=form.cleaned_data["kind"], content_type=form.content_type)
        if request.htmx:
            return render_block(request, FILES, client, uploaded=client_file)
        messages.success(request, _("File %(name)s uploaded.") % {"name": client_file.name})
        return _back(client)
    if request.htmx:
        return render_block(request, FILES, client, upload_form=form, invalid=bool(form.errors))
    return render_form(request, "clients/file_form.html", {"client": client, "form": form},
                       invalid=bool(form.errors))


@member_required("client.view")
def client_file_download_view(request, client_id, file_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    client_file = client_file_get(agency=request.agency, client=client, file_id=file_id)
    try:
        handle = client_file.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    ext = client_file.file.name.rsplit(".", 1)[-1] if "." in client_file.file.name else ""
    filename = client_file.name if client_file.name.lower().endswith("." + ext) else f"{client_file.name}.{ext}"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=client_file.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@member_required("file.upload")
def client_file_delete_view(request, client_id, file_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    client_file = client_file_get(agency=request.agency, client=client, file_id=file_id)
    if not _can_delete(request, client_file):
        raise PermissionDenied
    services.client_file_delete(agency=request.agency, actor=request.user, client_file=client_file)
    if request.htmx:
        return render_block(request, FILES, client)
    messages.success(request, _("File %(name)s deleted.") % {"name": client_file.name})
    return _back(client)
