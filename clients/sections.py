"""Blocks of the client page. Each sub-domain registers its block here instead of editing the page:
`register(Section(key=..., template=..., column="main"|"side", order=..., context=fn))`, where
`fn(request, client) -> dict` loads what the block shows with a constant number of queries."""
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


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    _SECTIONS[section.key] = section


def render_sections(request: HttpRequest, client) -> dict[str, list[dict]]:
    columns: dict[str, list[dict]] = {"main": [], "side": []}
    for section in sorted(_SECTIONS.values(), key=lambda s: s.order):
        columns[section.column].append({"key": section.key, "template": section.template,
                                        **section.context(request, client)})
    return columns
