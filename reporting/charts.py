"""Server-side SVG charts of a report (no browser, no JavaScript): a line over the days and horizontal bars by
channel. Every label is escaped here, so the markup may be put into a page or a PDF as it is; the PDF embeds
it as a `data:` image (the only kind of URL the PDF fetcher serves besides static files)."""
import base64
import math
from decimal import Decimal, InvalidOperation

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 240
PAD_L, PAD_R, PAD_T, PAD_B = 64, 16, 16, 36
FONT = 'font-family="Inter, DejaVu Sans, sans-serif" font-size="11"'


def _num(value) -> float:
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, TypeError, ValueError):
        return 0.0


def _short(value: float) -> str:
    """12 300 → 12.3k, 4 500 000 → 4.5M: axis labels only (the tables show the exact figures)."""
    for div, suffix in ((1_000_000, "M"), (1_000, "k")):
        if abs(value) >= div:
            return f"{value / div:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{value:.0f}"


def nice_top(value: float) -> float:
    """The value axis' top: the data's maximum rounded up to a number whose quarters read well (1.6k: 400,
    800, 1.2k), so the grid labels are round and the highest point is not drawn on the top line's label."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for m in (1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10):
        if m * magnitude >= value * 1.04:
            return m * magnitude
    return 12 * magnitude


def _svg(body: str, *, title: str, height: int = HEIGHT) -> SafeString:
    return mark_safe(  # noqa: S308 - every text inside `body` was escaped by the builders below
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>{body}</svg>')


def line_chart(points: list[tuple[str, object]], *, title: str, color: str = "#1F6FEB") -> SafeString:
    """`points`: (label, value) per day, in order."""
    values = [_num(v) for _label, v in points]
    top = nice_top(max(values, default=0))
    inner_w, inner_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    parts = []
    for i in range(5):  # grid and the value axis
        y = PAD_T + inner_h * i / 4
        parts.append(f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{WIDTH - PAD_R}" y2="{y:.1f}" stroke="#e6e8eb"/>')
        parts.append(f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#667085" {FONT}>'
                     f'{escape(_short(top * (4 - i) / 4))}</text>')
    if values:
        step = inner_w / max(1, len(values) - 1)
        coords = [(PAD_L + step * i, PAD_T + inner_h * (1 - v / top)) for i, v in enumerate(values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{escape(color)}" stroke-width="2"/>')
        every = max(1, len(points) // 6)
        for i, (label, _value) in enumerate(points):
            if i % every == 0 or i == len(points) - 1:
                parts.append(f'<text x="{coords[i][0]:.1f}" y="{HEIGHT - 12}" text-anchor="middle" fill="#667085" '
                             f'{FONT}>{escape(label)}</text>')
    return _svg("".join(parts), title=title)


def bar_chart(bars: list[tuple[str, object]], *, title: str, color: str = "#1F6FEB") -> SafeString:
    """Horizontal bars, one per (label, value), biggest first as given."""
    bars = bars[:10]
    row = 26
    height = PAD_T + row * max(1, len(bars)) + 8
    top = max((_num(v) for _l, v in bars), default=0) or 1.0
    label_w = 180
    inner_w = WIDTH - label_w - PAD_R - 80
    parts = []
    for i, (label, value) in enumerate(bars):
        y = PAD_T + row * i
        w = max(1.0, inner_w * _num(value) / top)
        text = label if len(label) <= 28 else label[:27] + "…"
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" fill="#344054" {FONT}>'
                     f'{escape(text)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="16" rx="3" fill="{escape(color)}"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 15}" fill="#344054" {FONT}>'
                     f'{escape(_short(_num(value)))}</text>')
    return _svg("".join(parts), title=title, height=height)


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
