from django.db.models import QuerySet
from django.http import Http404

from mrm.tenancy.fences import refuse_client
from mrm.tenancy.models import Agency, Membership

from ..models import Client, ClientFile, Invoice
from .companies import client_list


def client_file_list(*, agency: Agency, client: Client) -> QuerySet[ClientFile]:
    return ClientFile.objects.filter(agency=agency, client=client).select_related("uploaded_by").order_by(
        "-created_at")


def client_file_get(*, agency: Agency, client: Client, file_id) -> ClientFile:
    client_file = client_file_list(agency=agency, client=client).filter(pk=file_id).first()
    if client_file is None:
        raise Http404
    return client_file


def invoice_list(*, agency: Agency, membership: Membership, client: Client | None = None) -> QuerySet[Invoice]:
    refuse_client(membership)
    qs = Invoice.objects.filter(agency=agency)
    if client is not None:
        qs = qs.filter(client=client)
    else:
        qs = qs.filter(client_id__in=client_list(agency=agency, membership=membership).values("pk"))
    return qs.select_related("client", "deal").order_by("-issued_on", "-created_at")


def invoice_get(*, agency: Agency, membership: Membership, invoice_id, client: Client | None = None) -> Invoice:
    refuse_client(membership)
    invoice = invoice_list(agency=agency, membership=membership, client=client).filter(pk=invoice_id).first()
    if invoice is None:
        raise Http404
    return invoice
