"""The timeline's repeated rows (labels, grid lines, bars and diamonds, dependency arrows) drawn in Python.

A 300-task timeline rendered through template loops was ~9,000 variable nodes (two thirds of the page's time),
and `format_html` per row still spent most of it escaping numbers. Here every row is an f-string in which each
text value (titles, names, statuses, tooltips) goes through `_e` (the standard library's HTML escaping, the same
as Django's `escape`); the numbers are the service's own floats and ints. The joined result is marked safe once,
in `_safe`, because everything in it was escaped on the way in. Coordinates come from projects.services.timeline.
"""
from html import escape as _html_escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _e(value) -> str:
    return _html_escape(str(value), quote=True)


def _safe(parts: list[str]) -> SafeString:
    return mark_safe("".join(parts))  # noqa: S308 — every text value in `parts` went through _e


@register.simple_tag
def timeline_labels(timeline) -> SafeString:
    later, earlier = _e(_("Later than the baseline, working days")), _e(_("Earlier than the baseline, working days"))
    parts = []
    for group in timeline.groups:
        name = _e(group.name)
        parts.append(f'<div class="tl-label tl-label-group" title="{name}">{name}</div>')
        for item in group.items:
            icon = "◆" if item.kind == "milestone" else ("✓" if item.done else "▬")
            if item.slipped:
                slip = f'<span class="tl-slip" title="{later}">+{item.slip_days}</span>'
            elif item.slip_days and item.slip_days < 0:
                slip = f'<span class="tl-gain" title="{earlier}">{item.slip_days}</span>'
            else:
                slip = ""
            title = _e(item.title)
            parts.append(f'<div class="tl-label {_e(item.css)}" id="tl-label-{item.kind}-{_e(item.id)}">'
                         f'<span class="tl-label-icon" aria-hidden="true">{icon}</span>'
                         f'<span class="tl-label-title" title="{title}">{title}</span>{slip}</div>')
    return _safe(parts)


@register.simple_tag
def timeline_grid(timeline) -> SafeString:
    width, row = timeline.svg_width, timeline.row_height
    parts = []
    for group in timeline.groups:
        parts.append(f'<rect class="tl-group-bg" x="0" y="{group.y}" width="{width}" height="{row}"/>')
        parts.extend(f'<line x1="0" x2="{width}" y1="{item.y + row}" y2="{item.y + row}"/>' for item in group.items)
    return _safe(parts)


def _item(item) -> str:
    if item.kind == "task":
        baseline = (f'<rect class="tl-baseline" x="{item.baseline_x}" y="{item.baseline_y}" '
                    f'width="{item.baseline_width}" height="4" rx="1"/>') if item.baseline_x is not None else ""
        shape = f'{baseline}<rect class="tl-bar" x="{item.x}" y="{item.bar_y}" width="{item.width}" height="14" rx="3"/>'
    elif not item.undated:
        baseline = (f'<polygon class="tl-baseline-diamond" points="{item.baseline_diamond_points}"/>'
                    if item.baseline_x is not None and item.baseline_x != item.x else "")
        shape = f'{baseline}<polygon class="tl-diamond" points="{item.diamond_points}"/>'
    else:
        shape = ""
    label = "" if item.undated else (
        f'<text class="tl-bar-label" x="{item.label_x}" y="{item.label_y}">{_e(item.bar_label)}</text>')
    return (f'<g class="{_e(item.css)}" id="tl-{item.kind}-{_e(item.id)}"><title>{_e(item.tooltip)}</title>'
            f'{shape}{label}</g>')


@register.simple_tag
def timeline_items(timeline) -> SafeString:
    return _safe([_item(item) for group in timeline.groups for item in group.items])


@register.simple_tag
def timeline_links(timeline) -> SafeString:
    return _safe([
        f'<path d="{_e(link.path)}" class="tl-link{" tl-link-bad" if link.violated else ""}" '
        f'marker-end="url(#{"tl-arrow-bad" if link.violated else "tl-arrow"})" '
        f'data-from="{_e(link.predecessor_id)}" data-to="{_e(link.successor_id)}"/>' for link in timeline.links])
