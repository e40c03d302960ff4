from django import template

register = template.Library()


@register.filter
def readable_on(hex_colour: str) -> str:
    """White or near-black text, whichever reads better on the colour (WCAG relative luminance)."""
    try:
        r, g, b = (int(str(hex_colour)[i:i + 2], 16) / 255 for i in (1, 3, 5))
    except (ValueError, TypeError):
        return "#ffffff"

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return "#ffffff" if luminance < 0.18 else "#1d273b"
