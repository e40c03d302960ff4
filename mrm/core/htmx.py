"""One answer for an invalid submission, HTMX or not: 422 with the form re-rendered.

`static/js/app.js` tells htmx to swap 422 in place (the form comes back with its messages) and to show the
generic toast for every other 4xx/5xx, so a view must never answer a form error with 400: htmx would leave
the old form on screen and the user would read "Something went wrong" instead of what to fix.
"""
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

INVALID_STATUS = 422


def htmx_invalid(request: HttpRequest, template: str, context: dict | None = None, *,
                 target: str | None = None, swap: str | None = None) -> HttpResponse:
    """Render `template` (a page or a `page.html#block` partial) as the answer to an invalid submission."""
    return mark_invalid(request, render(request, template, context or {}), target=target, swap=swap)


def mark_invalid(request: HttpRequest, response: HttpResponse, *, target: str | None = None,
                 swap: str | None = None) -> HttpResponse:
    """Turn an already built response into the invalid answer; `target`/`swap` re-aim the HTMX swap."""
    response.status_code = INVALID_STATUS
    if getattr(request, "htmx", False):
        if target:
            response["HX-Retarget"] = target
        if swap:
            response["HX-Reswap"] = swap
    return response


def render_form(request: HttpRequest, template: str, context: dict | None = None, *,
                invalid: bool) -> HttpResponse:
    """A form page or block: 200 when shown, the invalid answer (422) when a submission was refused."""
    if invalid:
        return htmx_invalid(request, template, context)
    return render(request, template, context or {})
