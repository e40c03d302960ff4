"""Data sources of a client: create, change, delete (with their facts)."""
from django.db import transaction
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency
from mrm.tenancy.services import audit

from ..models import DataSource

EDITABLE = ("name", "kind", "currency", "accounts", "counters", "campaigns", "status")


def _clean_list(values) -> list[str]:
    if values in (None, ""):
        return []
    if isinstance(values, str):
        values = values.replace("\n", ",").split(",")
    items = []
    for value in values:
        text = " ".join(str(value).split())[:200]
        if text and text not in items:
            items.append(text)
    if len(items) > 500:
        raise ServiceError(_("At most 500 accounts, counters or campaigns per source."))
    return items


def _clean(data: dict) -> dict:
    clean = {k: data[k] for k in EDITABLE if k in data}
    if "name" in clean:
        clean["name"] = " ".join(str(clean["name"]).split())[:200]
        if not clean["name"]:
            raise ServiceError(_("Give the source a name."), field="name")
    if "currency" in clean:
        clean["currency"] = str(clean["currency"]).strip().upper()[:3]
        if len(clean["currency"]) != 3 or not clean["currency"].isalpha():
            raise ServiceError(_("Use a three-letter currency code like RUB."), field="currency")
    for key in ("accounts", "counters", "campaigns"):
        if key in clean:
            clean[key] = _clean_list(clean[key])
    if "kind" in clean and clean["kind"] not in DataSource.Kind.values:
        raise ServiceError(_("Choose the type of the source."), field="kind")
    if "status" in clean and clean["status"] not in DataSource.Status.values:
        raise ServiceError(_("Unknown status."), field="status")
    return clean


@transaction.atomic
def source_create(*, agency: Agency, actor, client, data: dict) -> DataSource:
    """A new source of a client (the caller checked the client is visible to the actor)."""
    if client.agency_id != agency.pk:
        raise ServiceError(_("Choose a client."), field="client")
    values = {"currency": agency.currency, **_clean(data)}
    if not values.get("name"):
        raise ServiceError(_("Give the source a name."), field="name")
    source = DataSource.objects.create(agency=agency, client=client, created_by=actor, **values)
    audit(agency=agency, actor=actor, action="reporting.source_created", target=source,
          changes={"client": (None, client.name), "kind": (None, source.kind)})
    return source


@transaction.atomic
def source_update(*, agency: Agency, actor, source: DataSource, data: dict) -> DataSource:
    source = DataSource.objects.select_for_update().get(agency=agency, pk=source.pk)
    values = _clean(data)
    changes = {k: (getattr(source, k), v) for k, v in values.items() if getattr(source, k) != v}
    if not changes:
        return source
    for key, (_old, new) in changes.items():
        setattr(source, key, new)
    source.save(update_fields=[*changes, "updated_at"])
    audit(agency=agency, actor=actor, action="reporting.source_updated", target=source, changes=changes)
    return source


@transaction.atomic
def source_delete(*, agency: Agency, actor, source: DataSource) -> None:
    """Delete a source with its campaigns, facts and imports."""
    source = DataSource.objects.select_for_update().get(agency=agency, pk=source.pk)
    audit(agency=agency, actor=actor, action="reporting.source_deleted", target=source,
          changes={"name": (source.name, None), "kind": (source.kind, None)})
    source.delete()
