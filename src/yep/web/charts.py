"""Server-rendered SVG charts, always shown beside a table with the same figures (works without JavaScript;
the table is what a screen reader reads, so the SVG is marked as an image with a short title)."""

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# GOV.UK palette: green, yellow, orange, red, for none / low / medium / high.
BAND_COLOURS = {"none": "#b1b4b6", "low": "#00703c", "medium": "#ffdd00", "high": "#d4351c"}
BAR, GAP, LABEL, WIDTH = 18, 6, 220, 420


def stacked_bars(title: str, rows: list[tuple[str, list[tuple[str, int]]]]) -> SafeString:
    """One horizontal bar per row (e.g. a school), split into coloured parts in proportion (e.g. bands)."""
    height = len(rows) * (BAR + GAP) + GAP
    parts = [format_html('<svg class="yep-chart" role="img" width="{}" height="{}" viewBox="0 0 {} {}">'
                         '<title>{}</title>', LABEL + WIDTH, height, LABEL + WIDTH, height, title)]
    for n, (label, segments) in enumerate(rows):
        y = GAP + n * (BAR + GAP)
        total = sum(v for _k, v in segments) or 1
        parts.append(format_html('<text x="0" y="{}" font-size="13">{}</text>', y + BAR - 5, label[:32]))
        x = float(LABEL)
        for key, value in segments:
            w = WIDTH * value / total
            if w:
                parts.append(format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>', f"{x:.1f}", y,
                                         f"{w:.1f}", BAR, BAND_COLOURS.get(key, "#1d70b8")))
            x += w
    parts.append(mark_safe("</svg>"))  # noqa: S308  (constant markup)
    return mark_safe("".join(parts))  # noqa: S308  (every part above is escaped by format_html)


def line(title: str, points: list[tuple[str, float]], top: float) -> SafeString:
    """A small line chart of values over time (e.g. a pupil's score at each run)."""
    width, height, pad = 420, 160, 30
    if not points:
        return mark_safe("")
    step = (width - 2 * pad) / max(len(points) - 1, 1)
    top = top or 1

    def xy(i: int, v: float) -> tuple[float, float]:
        return pad + i * step, height - pad - (height - 2 * pad) * v / top

    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, (_l, v) in enumerate(points)))
    out = [format_html('<svg class="yep-chart" role="img" width="{}" height="{}" viewBox="0 0 {} {}"><title>{}'
                       '</title>', width, height, width, height, title),
           format_html('<polyline fill="none" stroke="#1d70b8" stroke-width="3" points="{}"/>', path)]
    for i, (label, value) in enumerate(points):
        x, y = xy(i, value)
        out.append(format_html('<circle cx="{}" cy="{}" r="4" fill="#1d70b8"/>'
                               '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>',
                               f"{x:.1f}", f"{y:.1f}", f"{x:.1f}", height - 8, label))
    out.append(mark_safe("</svg>"))  # noqa: S308
    return mark_safe("".join(out))  # noqa: S308
