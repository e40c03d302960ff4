"""Server-side SVG trend charts: bars for the KPI per period (the chosen one darker), a dashed line for the target,
axis labels with the unit, a legend, and every value as text (a <title> per bar and the <desc>), so the chart reads
without colour and without a mouse. Every text goes through `escape`; nothing from a user reaches the markup
unescaped."""
from collections.abc import Sequence
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 320, 150
# The look of static/css/dashboards.css as presentation attributes too: WeasyPrint (the dashboard PDF) draws inline
# SVG without the page's stylesheet; in the browser the stylesheet wins over these.
PAINT = {
    'class="mrm-chart-tick"': 'font-size="9" fill="#495057" font-family="Inter, DejaVu Sans, sans-serif"',
    'class="mrm-chart-axis"': 'stroke="#9aa0ac" stroke-width="1"',
    'class="mrm-chart-target"': 'stroke="#b02a2a" stroke-width="1.5" stroke-dasharray="5 3"',
    'class="mrm-chart-bar"': 'fill="#9fb8d9"',
    'class="mrm-chart-bar mrm-chart-current"': 'fill="#1f5fa8"',
}
LEFT, RIGHT, TOP, BOTTOM = 52, 8, 18, 30


def _fmt(value: Decimal | None, unit: str, *, compact: bool = False) -> str:
    """A value with its unit; `compact` (axis ticks) shortens money: 1,8 M, 250 k."""
    if value is None:
        return _("no data")
    value = Decimal(value)
    suffix = ""
    if compact and abs(value) >= 1_000_000:
        value, suffix = value / 1_000_000, " " + _("M")
    elif compact and abs(value) >= 10_000:
        value, suffix = value / 1_000, " " + _("k")
    if suffix or unit in ("%", "pts", "h", "1–5"):
        number = number_format(value, decimal_pos=1, use_l10n=True)
    else:
        number = number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)
    return f"{number}{suffix} {unit}"


def trend_svg(*, points: Sequence[tuple[str, Decimal | None]], target: Decimal | None, unit: str, title: str,
              chart_id: str) -> SafeString:
    """A bar chart of `points` (label, value or None), the last one being the chosen period."""
    values = [v for _label, v in points if v is not None]
    scale_values = values + ([target] if target is not None else [])
    low = min([Decimal(0), *scale_values]) if scale_values else Decimal(0)
    high = max([Decimal(0), *scale_values]) if scale_values else Decimal(1)
    if high == low:
        high = low + 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: Decimal) -> float:
        return TOP + float((high - Decimal(value)) / (high - low)) * plot_h

    n = max(len(points), 1)
    slot = plot_w / n
    bar_w = max(slot * 0.6, 2)
    parts = [f'<line x1="{LEFT}" y1="{y(0):.1f}" x2="{WIDTH - RIGHT}" y2="{y(0):.1f}" class="mrm-chart-axis"/>',
             f'<text x="{LEFT - 4}" y="{y(high) + 4:.1f}" text-anchor="end" class="mrm-chart-tick">'
             f'{escape(_fmt(high, unit, compact=True))}</text>',
             f'<text x="{LEFT - 4}" y="{y(low) + 4:.1f}" text-anchor="end" class="mrm-chart-tick">'
             f'{escape(_fmt(low, unit, compact=True))}</text>']
    every = max(1, n // 6)  # at most ~6 period labels under the bars
    for i, (label, value) in enumerate(points):
        x = LEFT + i * slot + (slot - bar_w) / 2
        current = " mrm-chart-current" if i == n - 1 else ""
        text = f"{label}: {_fmt(value, unit)}"
        if value is None:
            parts.append(f'<g><title>{escape(text)}</title><text x="{x + bar_w / 2:.1f}" y="{y(0) - 3:.1f}" '
                         f'text-anchor="middle" class="mrm-chart-tick">–</text></g>')
        else:
            top, bottom = sorted((y(value), y(0)))
            parts.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar_w:.1f}" height="{max(bottom - top, 1):.1f}" '
                         f'class="mrm-chart-bar{current}"><title>{escape(text)}</title></rect>')
        if i % every == 0 or i == n - 1:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - BOTTOM + 13}" text-anchor="middle" '
                         f'class="mrm-chart-tick">{escape(label)}</text>')
    legend_y = HEIGHT - 4
    parts.append(f'<rect x="{LEFT}" y="{legend_y - 8}" width="10" height="8" class="mrm-chart-bar"/>'
                 f'<text x="{LEFT + 14}" y="{legend_y}" class="mrm-chart-tick">{escape(title)}, '
                 f'{escape(unit)}</text>')
    if target is not None:
        parts.append(f'<line x1="{LEFT}" y1="{y(target):.1f}" x2="{WIDTH - RIGHT}" y2="{y(target):.1f}" '
                     f'class="mrm-chart-target"><title>{escape(_("Target"))}: {escape(_fmt(target, unit))}</title>'
                     f'</line>'
                     f'<line x1="{WIDTH - 120}" y1="{legend_y - 4}" x2="{WIDTH - 104}" y2="{legend_y - 4}" '
                     f'class="mrm-chart-target"/><text x="{WIDTH - 100}" y="{legend_y}" class="mrm-chart-tick">'
                     f'{escape(_("Target"))} {escape(_fmt(target, unit, compact=True))}</text>')
    described = "; ".join(f"{label}: {_fmt(value, unit)}" for label, value in points)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="mrm-chart" role="img" '
           f'aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d">'
           f'<title id="{escape(chart_id)}-t">{escape(_("Trend"))}: {escape(title)}, {escape(unit)}</title>'
           f'<desc id="{escape(chart_id)}-d">{escape(described)}</desc>{"".join(parts)}</svg>')
    for css_class, attributes in PAINT.items():
        svg = svg.replace(css_class, f"{css_class} {attributes}")
    return mark_safe(svg)  # every interpolated text above is escaped
