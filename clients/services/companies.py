from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency, Membership, Role
from mrm.tenancy.services import apply_changes, audit

from ..caches import LOOKUPS
from ..models import Client, Tag
from .custom_fields import custom_values_for_write
from .history import client_history_record
from .onboarding import onboarding_start_if_active

CLIENT_FIELDS = ("name", "legal_name", "industry", "website", "size", "source", "status", "churn_reason", "owner",
                 "start_date", "notes", "inn", "kpp", "legal_address")


def _check_owner(*, agency: Agency, owner) -> None:
    if owner is None:
        return
    if not Membership.objects.filter(agency=agency, user=owner, is_active=True,
                                     role__in=[Role.DIRECTOR, Role.AM]).exists():
        raise ServiceError(_("The account manager must be an active director or AM of this agency."), field="owner")


def _set_tags(*, agency: Agency, client: Client, names: list[str]) -> None:
    existing = {t.name: t for t in Tag.objects.filter(agency=agency, name__in=names)}
    missing = [Tag(agency=agency, name=n) for n in names if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        LOOKUPS.changed(agency_id=agency.pk)  # bulk_create sends no signal: the list filter's tags
    client.tags.set(Tag.objects.filter(agency=agency, name__in=names))


@transaction.atomic
def client_create(*, agency: Agency, actor, data: dict, tag_names: list[str] | None = None) -> Client:
    """A new client company; the creating AM owns it unless another owner is given."""
    custom = custom_values_for_write(agency=agency, entity="client", data=data)
    data = {k: v for k, v in data.items() if k in CLIENT_FIELDS}
    if custom is not None:
        data["custom"] = custom
    if data.get("owner") is None and isinstance(actor, get_user_model()):
        data["owner"] = actor
    _check_owner(agency=agency, owner=data.get("owner"))
    client = Client.objects.create(agency=agency, **data)
    client_history_record(agency=agency, actor=actor, client=client, old_status=None)
    _set_tags(agency=agency, client=client, names=tag_names or [])
    audit(agency=agency, actor=actor, action="client.created", target=client)
    onboarding_start_if_active(agency=agency, actor=actor, client=client)
    return client


@transaction.atomic
def client_update(*, agency: Agency, actor, client: Client, data: dict, tag_names: list[str] | None = None) -> Client:
    client = Client.objects.select_for_update().get(agency=agency, pk=client.pk)
    custom = custom_values_for_write(agency=agency, entity="client", data=data, current=client.custom)
    data = {k: v for k, v in data.items() if k in CLIENT_FIELDS}
    if custom is not None:
        data["custom"] = custom
    if "owner" in data:
        _check_owner(agency=agency, owner=data["owner"])
    old_status, old_owner_id = client.status, client.owner_id
    changes = apply_changes(client, data)
    if changes:
        client.save()
        client_history_record(agency=agency, actor=actor, client=client, old_status=old_status,
                              old_owner_id=old_owner_id)
    if tag_names is not None:
        before = sorted(client.tags.values_list("name", flat=True))
        if before != tag_names:
            _set_tags(agency=agency, client=client, names=tag_names)
            changes["tags"] = (", ".join(before), ", ".join(tag_names))
    if changes:
        audit(agency=agency, actor=actor, action="client.updated", target=client, changes=changes)
    if "status" in changes:
        onboarding_start_if_active(agency=agency, actor=actor, client=client)  # once: the first time it is active
    return client
