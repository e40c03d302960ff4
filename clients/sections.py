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


def section_block(section: Section, request: HttpRequest, client, **extra) -> dict:
    """What the block's template reads as `block`: its key and template, its context, and `extra` (a bound form)."""
    return {"key": section.key, "template": section.template, **section.context(request, client), **extra}


def _in_order() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda s: s.order)


def render_sections(request: HttpRequest, client) -> dict[str, list[dict]]:
    """The page's blocks by column; a deferred block is only its placeholder (`{"key", "deferred": True}`)."""
    columns: dict[str, list[dict]] = {"main": [], "side": []}
    for section in _in_order():
        columns[section.column].append({"key": section.key, "deferred": True} if section.deferred
                                       else section_block(section, request, client))
    return columns


def render_deferred_sections(request: HttpRequest, client) -> list[dict]:
    """Every deferred block, computed, in page order (what `clients:blocks` sends)."""
    return [section_block(s, request, client) for s in _in_order() if s.deferred]
