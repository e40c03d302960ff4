"""URLs for rows without a `reverse()` per row (issue 15: a page of rows spent a third of its template time in
`{% url %}` tags). `reverse()` runs once with a placeholder for the row's id; each row is then string formatting.

    edit_url = url_maker("clients:interaction_edit", client.pk)   # the last argument is the row's id
    for item in items:
        item.edit_url = edit_url(item.pk)
"""
import uuid
from collections.abc import Callable

from django.urls import reverse

SLOT = uuid.UUID(int=0)  # a valid <uuid:...> that no row has


def url_template(name: str, *args, slot: str = "{}") -> str:
    """The URL of `name` with `args` and the row's id as `slot` (e.g. "{id}" for a URL a script fills in)."""
    return reverse(name, args=[*args, SLOT]).replace(str(SLOT), slot)


def url_maker(name: str, *args) -> Callable[[object], str]:
    """A function of the row's id (a UUID) that returns the URL of `name` with `args` before it."""
    template = url_template(name, *args)
    return lambda row_id: template.format(row_id)
