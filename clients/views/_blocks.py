"""Helpers for the client-page blocks of the workspace: render one block alone for HTMX, answer form
errors with the one invalid answer (422, `mrm.core.htmx`) aimed at the element that shows the form."""
from django.http import HttpResponse
from django.shortcuts import render

from mrm.core.htmx import mark_invalid

from ..sections import Section, register, section_block


def register_block(*, key: str, template: str, column: str, order: int, context, deferred: bool = False,
                   rows: tuple | None = None) -> Section:
    section = Section(key=key, template=template, column=column, order=order, context=context, deferred=deferred,
                      rows=rows)
    register(section)
    return section


def render_block(request, section: Section, client, *, invalid: bool = False, **extra) -> HttpResponse:
    """The block exactly as on the client page (its context function, plus `extra` such as a bound form);
    `invalid` answers a refused submission (422, swapped in place)."""
    block = section_block(section, request, client, **extra)
    response = render(request, section.template, {"block": block, "client": client})
    return mark_invalid(request, response) if invalid else response


def htmx_form_error(request, response: HttpResponse, *, target: str, swap: str = "outerHTML") -> HttpResponse:
    """A form error aimed at the element that shows the form (which may not be the request's target)."""
    return mark_invalid(request, response, target=target, swap=swap)
