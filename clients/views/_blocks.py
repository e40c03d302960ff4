"""Helpers for the client-page blocks of the workspace: render one block alone for HTMX, answer form
errors with 422 (app.js lets htmx swap it) aimed at the element that shows the form."""
from django.http import HttpResponse
from django.shortcuts import render

from ..sections import Section, register


def register_block(*, key: str, template: str, column: str, order: int, context) -> Section:
    section = Section(key=key, template=template, column=column, order=order, context=context)
    register(section)
    return section


def render_block(request, section: Section, client, *, status: int = 200, **extra) -> HttpResponse:
    """The block exactly as on the client page (its context function, plus `extra` such as a bound form)."""
    block = {"key": section.key, "template": section.template, **section.context(request, client), **extra}
    return render(request, section.template, {"block": block, "client": client}, status=status)


def htmx_form_error(response: HttpResponse, *, target: str, swap: str = "outerHTML") -> HttpResponse:
    response.status_code = 422
    response["HX-Retarget"] = target
    response["HX-Reswap"] = swap
    return response
