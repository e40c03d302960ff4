"""Saved list views: a user's filters + sort + columns, optionally shared with the agency (read-only for others)."""
from django.db import transaction
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency

from ..listing import LIST_ENTITY, clean_view_params
from ..models import SavedView, SavedViewDefault

MAX_VIEWS_PER_LIST = 50


def _defs(agency: Agency, list_key: str):
    from ..selectors.custom_fields import custom_field_defs

    entity = LIST_ENTITY.get(list_key)
    return custom_field_defs(agency=agency, entity=entity) if entity else []


def _set_default(*, agency: Agency, user, view: SavedView) -> None:
    SavedViewDefault.objects.update_or_create(agency=agency, user=user, list_key=view.list_key,
                                              defaults={"view": view})


@transaction.atomic
def saved_view_create(*, agency: Agency, user, list_key: str, name: str, query: str, shared: bool = False,
                      make_default: bool = False) -> SavedView:
    if list_key not in SavedView.List.values:
        raise ServiceError(_("Unknown list."), field="list_key")
    name = name.strip()
    if not name:
        raise ServiceError(_("Name the view."), field="name")
    if SavedView.objects.filter(agency=agency, owner=user, list_key=list_key).count() >= MAX_VIEWS_PER_LIST:
        raise ServiceError(_("You have %(n)s views of this list already: delete one first.") % {
            "n": MAX_VIEWS_PER_LIST}, field="name")
    if SavedView.objects.filter(agency=agency, owner=user, list_key=list_key, name__iexact=name).exists():
        raise ServiceError(_("You already have a view with this name."), field="name")
    clean_query, columns = clean_view_params(list_key=list_key, query=query, defs=_defs(agency, list_key))
    view = SavedView.objects.create(agency=agency, owner=user, list_key=list_key, name=name, query=clean_query,
                                    columns=columns, shared=shared)
    if make_default:
        _set_default(agency=agency, user=user, view=view)
    return view


@transaction.atomic
def saved_view_update(*, agency: Agency, user, view: SavedView, name: str, shared: bool,
                      make_default: bool = False, query: str | None = None) -> SavedView:
    """Only the owner changes a view (the selector hands out only their own); `query` replaces the filters."""
    if view.owner_id != user.pk:
        raise ServiceError(_("Only the author can change this view."))
    name = name.strip()
    if not name:
        raise ServiceError(_("Name the view."), field="name")
    if SavedView.objects.filter(agency=agency, owner=user, list_key=view.list_key, name__iexact=name).exclude(
            pk=view.pk).exists():
        raise ServiceError(_("You already have a view with this name."), field="name")
    view.name, view.shared = name, shared
    fields = ["name", "shared", "updated_at"]
    if query is not None:
        view.query, view.columns = clean_view_params(list_key=view.list_key, query=query,
                                                     defs=_defs(agency, view.list_key))
        fields += ["query", "columns"]
    view.save(update_fields=fields)
    if make_default:
        _set_default(agency=agency, user=user, view=view)
    elif not shared:
        # No longer shared: it stops being anyone else's default.
        SavedViewDefault.objects.filter(agency=agency, view=view).exclude(user=user).delete()
    return view


@transaction.atomic
def saved_view_delete(*, agency: Agency, user, view: SavedView) -> None:
    if view.owner_id != user.pk:
        raise ServiceError(_("Only the author can delete this view."))
    SavedView.objects.filter(agency=agency, pk=view.pk).delete()


@transaction.atomic
def saved_view_make_default(*, agency: Agency, user, view: SavedView | None, list_key: str) -> None:
    """Open the list with `view` (own or shared, checked by the selector); None: open it unfiltered."""
    if view is None:
        SavedViewDefault.objects.filter(agency=agency, user=user, list_key=list_key).delete()
    else:
        _set_default(agency=agency, user=user, view=view)
