"""Blocks of the client page. Each sub-domain registers its block here instead of editing the page:
`register(Section(key=..., template=..., column="main"|"side", order=..., context=fn))`, where
`fn(request, client) -> dict` loads what the block shows with a constant number of queries.

A `deferred` block (below the fold: projects, proposals, reports, invoices, the portal, files, ...) is not computed
with the page: the page answers with a placeholder per deferred block and one request (`clients:blocks`, on load)
fills them all, out of band. The page's own answer stays small and fast (issue 15: half of the client page's
queries and time were blocks nobody sees before scrolling); what the member ends up seeing is the same."""
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    column: str  # "main" (wide, right) or "side" (narrow, left)
    order: int
    context: Callable[[HttpRequest, object], dict]
    deferred: bool = False


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    _SECTIONS[section.key] = section


def render_sections(request: HttpRequest, client) -> dict[str, list[dict]]:
    """The page's blocks by column; a deferred block is only its placeholder (`{"key", "deferred": True}`)."""
    columns: dict[str, list[dict]] = {"main": [], "side": []}
    for section in sorted(_SECTIONS.values(), key=lambda s: s.order):
        if section.deferred:
            columns[section.column].append({"key": section.key, "deferred": True})
        else:
            columns[section.column].append({"key": section.key, "template": section.template,
                                            **section.context(request, client)})
    return columns


def render_deferred_sections(request: HttpRequest, client) -> list[dict]:
    """Every deferred block, computed, in page order (what `clients:blocks` sends)."""
    return [{"key": s.key, "template": s.template, **s.context(request, client)}
            for s in sorted(_SECTIONS.values(), key=lambda s: s.order) if s.deferred]
