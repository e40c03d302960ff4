"""The KAM quadrant as a server-side SVG scatter: attractiveness (x, 1–5) × relationship strength (y, 1–5), the
quadrant lines at 3 (`clients.models.kam.HIGH`), one bubble per scored client with its area proportional to the
period's revenue (radius ∝ √revenue). Quadrants are named in the chart, loss-making clients get a dashed outline (so
colour is never the only signal), every bubble has a <title>; the page adds a table of the same points. At most
`MAX_BUBBLES` bubbles (the largest by revenue) are drawn; the page says how many were left out. Every text is
escaped."""
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from mrm.core.templatetags.mrm import money

MAX_BUBBLES = 200
WIDTH, HEIGHT = 560, 420
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 76
# Presentation attributes inline (not only classes), so the chart draws the same without the page's CSS (WeasyPrint).
FILL = {"strategic": ("#2fb344", "#1f7a2e"), "star": ("#f59f00", "#8a5a00"), "status": ("#4299e1", "#1f5fa8"),
        "streamline": ("#adb5bd", "#495057")}
TICK = 'font-size="9" fill="#495057" font-family="Inter, sans-serif"'
LABEL = 'font-size="11" fill="#3a4250" font-family="Inter, sans-serif"'
LOSS = 'stroke="#b02a2a" stroke-width="2" stroke-dasharray="3 2"'
NAME = 'font-size="12" font-weight="600" fill="#3a4250" font-family="Inter, sans-serif"'

LOW, HIGH, SPLIT = 1, 5, 3
R_MIN, R_MAX = 3.0, 22.0


@dataclass(frozen=True)
class Bubble:
    name: str
    attractiveness: Decimal
    strength: Decimal
    quadrant: str
    quadrant_label: str
    revenue: Decimal
    loss_making: bool


def bubbles_to_draw(points: Sequence[Bubble], *, limit: int = MAX_BUBBLES) -> tuple[list[Bubble], int]:
    """(the `limit` largest by revenue, name for ties; how many were left out)."""
    ordered = sorted(points, key=lambda b: (-b.revenue, b.name))
    return ordered[:limit], max(len(ordered) - limit, 0)


def _x(value: Decimal) -> float:
    value = min(max(float(value), LOW), HIGH)
    return LEFT + (value - LOW) / (HIGH - LOW) * (WIDTH - LEFT - RIGHT)


def _y(value: Decimal) -> float:
    value = min(max(float(value), LOW), HIGH)
    return TOP + (HIGH - value) / (HIGH - LOW) * (HEIGHT - TOP - BOTTOM)


def _score(value: Decimal) -> str:
    return number_format(Decimal(value), decimal_pos=1, use_l10n=True)


def quadrant_svg(*, points: Sequence[Bubble], currency: str, chart_id: str = "quadrant-chart") -> SafeString:
    """The chart of `points` (already capped by `bubbles_to_draw`), largest drawn first so small ones stay on top."""
    top = max((float(b.revenue) for b in points if b.revenue > 0), default=0.0)

    def radius(revenue: Decimal) -> float:
        if top <= 0 or revenue <= 0:
            return R_MIN
        return R_MIN + (R_MAX - R_MIN) * math.sqrt(float(revenue) / top)

    x_label, y_label = _("Attractiveness, score 1–5"), _("Relationship strength, score 1–5")
    size_label, loss_label = _("Bubble area: revenue of the period"), _("Dashed outline: costs more than it pays")
    sx, sy = _x(Decimal(SPLIT)), _y(Decimal(SPLIT))
    x0, x1, y0, y1 = _x(Decimal(LOW)), _x(Decimal(HIGH)), _y(Decimal(HIGH)), _y(Decimal(LOW))
    parts = [f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" class="mrm-quad-frame" fill="#fbfcfe" stroke="#9aa0ac"/>',
             f'<line x1="{sx:.1f}" y1="{y0:.1f}" x2="{sx:.1f}" y2="{y1:.1f}" class="mrm-quad-split" stroke="#5f6b7a" stroke-dasharray="4 3"/>',
             f'<line x1="{x0:.1f}" y1="{sy:.1f}" x2="{x1:.1f}" y2="{sy:.1f}" class="mrm-quad-split" stroke="#5f6b7a" stroke-dasharray="4 3"/>']
    names = ((x1 - 6, y0 + 16, "end", _("Strategic")), (x0 + 6, y0 + 16, "start", _("Status")),
             (x1 - 6, y1 - 8, "end", _("Star")), (x0 + 6, y1 - 8, "start", _("Streamline")))
    for x, y, anchor, label in names:
        parts.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="mrm-quad-name" {NAME}>'
                     f'{escape(label)}</text>')
    for tick in range(LOW, HIGH + 1):
        parts.append(f'<text x="{_x(Decimal(tick)):.1f}" y="{y1 + 14:.1f}" text-anchor="middle" '
                     f'class="mrm-chart-tick" {TICK}>{tick}</text>')
        parts.append(f'<text x="{x0 - 6:.1f}" y="{_y(Decimal(tick)) + 4:.1f}" text-anchor="end" '
                     f'class="mrm-chart-tick" {TICK}>{tick}</text>')
    parts.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{y1 + 32:.1f}" text-anchor="middle" class="mrm-chart-axis-label" {LABEL}>'
                 f'{escape(x_label)}</text>')
    parts.append(f'<text transform="translate(14 {(y0 + y1) / 2:.1f}) rotate(-90)" text-anchor="middle" '
                 f'class="mrm-chart-axis-label" {LABEL}>{escape(y_label)}</text>')
    for bubble in sorted(points, key=lambda b: -b.revenue):
        loss = " mrm-quad-loss" if bubble.loss_making else ""
        fill, stroke = FILL.get(bubble.quadrant, ("#9fb8d9", "#1f5fa8"))
        paint = f'fill="{fill}" fill-opacity="0.7" ' + (LOSS if bubble.loss_making else f'stroke="{stroke}"')
        text = _("%(name)s: attractiveness %(a)s, relationship %(r)s, revenue %(revenue)s, %(quadrant)s") % {
            "name": bubble.name, "a": _score(bubble.attractiveness), "r": _score(bubble.strength),
            "revenue": money(bubble.revenue, currency), "quadrant": bubble.quadrant_label}
        if bubble.loss_making:
            text += " · " + _("costs more than it pays")
        parts.append(f'<circle cx="{_x(bubble.attractiveness):.1f}" cy="{_y(bubble.strength):.1f}" '
                     f'r="{radius(bubble.revenue):.1f}" class="mrm-quad-bubble mrm-quad-{escape(bubble.quadrant)}'
                     f'{loss}" {paint}><title>{escape(text)}</title></circle>')
    legend_y = HEIGHT - 26
    parts.append(f'<circle cx="{LEFT + 6}" cy="{legend_y - 4}" r="6" class="mrm-quad-bubble" fill="#9fb8d9" '
                 f'stroke="#1f5fa8"/><text x="{LEFT + 16}" y="{legend_y}" class="mrm-chart-tick" {TICK}>'
                 f'{escape(size_label)}, {escape(currency)}</text>'
                 f'<circle cx="{LEFT + 6}" cy="{legend_y + 12}" r="6" class="mrm-quad-bubble mrm-quad-loss" '
                 f'fill="#ffffff" {LOSS}/><text x="{LEFT + 16}" y="{legend_y + 16}" class="mrm-chart-tick" {TICK}>'
                 f'{escape(loss_label)}</text>')
    title = _("KAM quadrant: %(n)s clients by attractiveness and relationship strength") % {"n": len(points)}
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="mrm-chart mrm-quad" '
           f'role="img" aria-labelledby="{chart_id}-t"><title id="{chart_id}-t">{escape(title)}</title>'
           f'{"".join(parts)}</svg>')
    return mark_safe(svg)  # every interpolated text above is escaped
