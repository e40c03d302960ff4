from django.db.models import QuerySet
from django.http import Http404

from mrm.tenancy.fences import refuse_client
from mrm.tenancy.models import Agency, Membership, Role

from ..models import ImportFile


def import_file_list(*, agency: Agency, membership: Membership) -> QuerySet[ImportFile]:
    """Imports a member may see: a director all of the agency's, an AM their own."""
    refuse_client(membership)
    qs = ImportFile.objects.filter(agency=agency).select_related("job", "inspection", "uploaded_by")
    if membership.role != Role.DIRECTOR:
        qs = qs.filter(uploaded_by_id=membership.user_id)
    return qs.order_by("-created_at")


def import_file_get(*, agency: Agency, membership: Membership, import_id) -> ImportFile:
    refuse_client(membership)
    import_file = import_file_list(agency=agency, membership=membership).filter(pk=import_id).first()
    if import_file is None:
        raise Http404
    return import_file
