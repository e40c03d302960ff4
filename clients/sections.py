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
    # The rows the block shows (`clients.block_cache`): with them its HTML is cached until one of them changes;
    # None: computed on every request.
    rows: tuple | None = None


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    _SECTIONS[section.key] = section


def section_block(section: Section, request: HttpRequest, client, **extra) -> dict:
    """What the block's template reads as `block`: its key and template, its context, and `extra` (a bound form)."""
    return {"key": section.key, "template": section.template, **section.context(request, client), **extra}


def _in_order() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda s: s.order)


def _blocks(request: HttpRequest, client, sections: list[Section], also=()) -> list[dict]:
    """Each section's `block`; a cached one (`clients.block_cache`) as `{"key", "html"}`, rendered already."""
    from .block_cache import render_blocks

    html = render_blocks(request, client, sections, lambda section: section_block(section, request, client),
                         also=also)
    return [{"key": s.key, "html": html[s.key]} if s.key in html else section_block(s, request, client)
            for s in sections]


def render_sections(request: HttpRequest, client, *, also=()) -> dict[str, list[dict]]:
    """The page's blocks by column; a deferred block is only its placeholder (`{"key", "deferred": True}`).
    `also`: the cached values (`clients.block_cache.Value`) the page reads besides its blocks."""
    ordered = _in_order()
    blocks = iter(_blocks(request, client, [s for s in ordered if not s.deferred], also))
    columns: dict[str, list[dict]] = {"main": [], "side": []}
    for section in ordered:
        columns[section.column].append({"key": section.key, "deferred": True} if section.deferred else next(blocks))
    return columns


def render_deferred_sections(request: HttpRequest, client) -> list[dict]:
    """Every deferred block, computed, in page order (what `clients:blocks` sends)."""
    return _blocks(request, client, [s for s in _in_order() if s.deferred])
