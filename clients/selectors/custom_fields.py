"""Reads of the agency's custom field definitions and of saved list views."""
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from mrm.tenancy.models import Agency

from ..models import CustomField, SavedView, SavedViewDefault


def custom_field_list(*, agency: Agency, entity: str | None = None, active_only: bool = True) -> QuerySet[CustomField]:
    qs = CustomField.objects.filter(agency=agency)
    if entity is not None:
        qs = qs.filter(entity=entity)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("entity", "order", "label", "pk")


def custom_field_defs(*, agency: Agency, entity: str) -> list[CustomField]:
    """The active fields of one entity in form order (forms, lists, exports and the API use it): one query per
    change of the agency's fields, cached in between (clients.caches.LOOKUPS)."""
    from ..caches import cached_lookup

    return cached_lookup(agency_id=agency.pk, name=f"custom-fields:{entity}",
                         compute=lambda: list(custom_field_list(agency=agency, entity=entity)))


def custom_field_get(*, agency: Agency, field_id) -> CustomField:
    field = CustomField.objects.filter(agency=agency, pk=field_id).first()
    if field is None:
        raise Http404
    return field


def custom_field_value_count(*, agency: Agency, field: CustomField) -> int:
    """How many records hold a value for this field (the delete confirmation says so)."""
    from ..models import Client, Contact, Deal

    model = {CustomField.Entity.CLIENT: Client, CustomField.Entity.CONTACT: Contact,
             CustomField.Entity.DEAL: Deal}[field.entity]
    return model.objects.filter(agency=agency, custom__has_key=field.key).count()


def saved_view_list(*, agency: Agency, user, list_key: str) -> list[SavedView]:
    """The user's own views and those shared in the agency, own first; `is_default`: the one the user's
    list opens with (one query for the switcher, cached until a view or a default of the agency changes)."""
    from ..caches import cached_lookup

    def compute() -> list[SavedView]:
        default = SavedViewDefault.objects.filter(agency=agency, user=user, list_key=list_key, view=OuterRef("pk"))
        views = SavedView.objects.filter(agency=agency, list_key=list_key).filter(Q(owner=user) | Q(shared=True))
        views = views.annotate(is_default=Exists(default))
        return sorted(views.select_related("owner"), key=lambda v: (v.owner_id != user.pk, v.name.lower()))

    return cached_lookup(agency_id=agency.pk, name=f"saved-views:{user.pk}:{list_key}", compute=compute)


def saved_view_get(*, agency: Agency, user, view_id, own: bool = False) -> SavedView:
    """A view the user may open (own or shared); `own=True`: one they may change. Else 404."""
    visibility = Q(owner=user) if own else Q(owner=user) | Q(shared=True)
    view = SavedView.objects.filter(agency=agency, pk=view_id).filter(visibility).first()
    if view is None:
        raise Http404
    return view


def saved_view_default(*, agency: Agency, user, list_key: str) -> SavedView | None:
    row = SavedViewDefault.objects.filter(agency=agency, user=user, list_key=list_key).select_related("view").first()
    if row is None or not (row.view.owner_id == user.pk or row.view.shared):
        return None
    return row.view


def custom_values_display(*, agency: Agency, entity: str, records: list) -> dict:
    """{record pk: [(label, value), …]} of the active fields the records hold, in form order. Costs one
    query only when some record holds a value (pages of records without custom values stay as they were)."""
    if not any(getattr(r, "custom", None) for r in records):
        return {}
    defs = custom_field_defs(agency=agency, entity=entity)
    return {r.pk: [(d.label, r.custom[d.key]) for d in defs if r.custom and r.custom.get(d.key) not in (None, "")]
            for r in records}
