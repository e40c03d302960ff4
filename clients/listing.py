"""Custom columns and filters of the client and deal lists, and the parameters a saved view may keep.

URL parameters (shared by the page, its exports and saved views):
- `col=<key>` (repeatable): show that custom field as a column;
- `cf_<key>=…`: a text field contains it, a choice field equals it;
- `cf_<key>_min=…` / `cf_<key>_max=…`: a number or date field within the range (inclusive).
Every filter is on the row's own `custom` column, so a page costs the same queries whatever is chosen.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.db.models import DateField, DecimalField, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.http import QueryDict
from django.utils.translation import gettext as _

from .models import CustomField, SavedView

K = CustomField.Kind
RANGE_KINDS = (K.NUMBER, K.DATE)

# The list's own parameters a saved view keeps (anything else in the URL is dropped on save).
LIST_PARAMS = {
    SavedView.List.CLIENTS: ("q", "status", "owner", "industry", "tag", "sort", "per"),
    SavedView.List.DEALS: ("q", "stage", "kind", "owner", "client", "sort"),
    SavedView.List.TASKS: ("q", "scope", "state", "overdue", "kind", "client", "sort"),
}
LIST_ENTITY = {SavedView.List.CLIENTS: CustomField.Entity.CLIENT, SavedView.List.DEALS: CustomField.Entity.DEAL}


@dataclass
class CustomListing:
    """What the custom part of a list shows: the filter inputs with their values, the chosen columns and
    the messages for values that could not be read (the filter is then not applied)."""

    defs: list[CustomField]
    values: dict[str, str] = field(default_factory=dict)
    columns: list[CustomField] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return any(self.values.values())

    def filters(self) -> list[dict]:
        rows = []
        for d in self.defs:
            name = f"cf_{d.key}"
            rows.append({"def": d, "name": name, "value": self.values.get(name, ""),
                         "min": self.values.get(f"{name}_min", ""), "max": self.values.get(f"{name}_max", ""),
                         "is_range": d.kind in RANGE_KINDS})
        return rows


def filter_param_names(defs: list[CustomField]) -> set[str]:
    names = set()
    for d in defs:
        if d.kind in RANGE_KINDS:
            names |= {f"cf_{d.key}_min", f"cf_{d.key}_max"}
        else:
            names.add(f"cf_{d.key}")
    return names


def _bound(kind: str, text: str):
    if kind == K.DATE:
        return date.fromisoformat(text)
    number = Decimal(text.replace(",", ".").replace(" ", ""))
    if not number.is_finite():
        raise InvalidOperation
    return number


def custom_filter(qs: QuerySet, *, defs: list[CustomField], params: QueryDict) -> tuple[QuerySet, CustomListing]:
    listing = CustomListing(defs=defs)
    wanted = params.getlist("col")
    listing.columns = [d for d in defs if d.key in wanted]
    for d in defs:
        name, path = f"cf_{d.key}", f"custom__{d.key}"
        if d.kind in RANGE_KINDS:
            output = DateField() if d.kind == K.DATE else DecimalField(max_digits=30, decimal_places=10)
            alias = f"_cf_{d.key}"
            for suffix, lookup in (("_min", "gte"), ("_max", "lte")):
                text = params.get(name + suffix, "").strip()[:40]
                listing.values[name + suffix] = text
                if not text:
                    continue
                try:
                    bound = _bound(d.kind, text)
                except (ValueError, InvalidOperation):
                    listing.errors.append(_("%(label)s: “%(value)s” is not a valid bound, the filter is off.") % {
                        "label": d.label, "value": text})
                    continue
                if alias not in qs.query.annotations:
                    qs = qs.alias(**{alias: Cast(KT(path), output)})
                qs = qs.filter(**{f"{alias}__{lookup}": bound})
        else:
            text = params.get(name, "").strip()[:200]
            listing.values[name] = text
            if not text:
                continue
            if d.kind == K.CHOICE:
                qs = qs.filter(**{f"{path}": text})
            else:
                qs = qs.filter(**{f"{path}__icontains": text})
    return qs, listing


def clean_view_params(*, list_key: str, query: str, defs: list[CustomField]) -> tuple[str, list[str]]:
    """A list URL's query string → (the query a saved view keeps, its columns): only the list's known
    parameters and the custom filters of active fields, non-empty, the columns of active fields."""
    params = QueryDict(query or "")
    allowed = set(LIST_PARAMS[list_key]) | filter_param_names(defs)
    kept = [(k, v) for k in params for v in params.getlist(k) if k in allowed and v.strip()]
    keys = {d.key for d in defs}
    columns = list(dict.fromkeys(c for c in params.getlist("col") if c in keys))
    return urlencode(kept)[:2000], columns


def view_url_query(view: SavedView) -> str:
    """The query string that opens a saved view: its filters, its columns and its id."""
    parts = [view.query] if view.query else []
    parts.append(urlencode([("col", c) for c in view.columns] + [("view", str(view.pk))]))
    return "&".join(parts)
