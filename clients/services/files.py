import os

from django.db import transaction
from django.utils.text import get_valid_filename

from mrm.tenancy.models import Agency
from mrm.tenancy.services import audit

from ..models import Client, ClientFile


@transaction.atomic
def client_file_upload(*, agency: Agency, actor, client: Client, upload, name: str, kind: str,
                       content_type: str) -> ClientFile:
    """Store a checked upload (see clients.uploads.check_upload) as a client document."""
    ext = os.path.splitext(upload.name)[1].lower()
    name = (name or os.path.splitext(upload.name)[0]).strip()[:200]
    client_file = ClientFile(agency=agency, client=client, name=name, kind=kind, content_type=content_type,
                             size=upload.size, uploaded_by=actor if getattr(actor, "is_authenticated", False) else None)
    # The stored name is ours (ASCII-safe, fixed extension); the display name keeps what the user typed.
    stored = get_valid_filename(os.path.splitext(upload.name)[0])[:80] or "file"
    client_file.file.save(f"{stored}{ext}", upload, save=False)
    path, storage = client_file.file.name, client_file.file.storage
    try:
        client_file.save()
    except Exception:
        storage.delete(path)
        raise
    audit(agency=agency, actor=actor, action="client_file.uploaded", target=client_file,
          changes={"size": (None, client_file.size)})
    return client_file


@transaction.atomic
def client_file_delete(*, agency: Agency, actor, client_file: ClientFile) -> None:
    """Delete the document; its bytes leave storage only once the deletion is committed."""
    path, storage = client_file.file.name, client_file.file.storage
    audit(agency=agency, actor=actor, action="client_file.deleted", target=client_file)
    ClientFile.objects.filter(agency=agency, pk=client_file.pk).delete()
    transaction.on_commit(lambda: storage.delete(path))
