"""Server-rendered SVG charts, always shown beside a table with the same figures (works without JavaScript;
the table is what a screen reader reads, so the SVG is marked as an image with a short title and description)."""

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# GOV.UK palette: grey, green, yellow, red, for none / low / medium / high.
BAND_COLOURS = {"none": "#b1b4b6", "low": "#00703c", "medium": "#ffdd00", "high": "#d4351c"}
BAR, GAP, LABEL, WIDTH = 18, 6, 220, 420
# The pages' typeface ($govuk-font-family in web/scss/yep.scss): an SVG's text does not take it from the page,
# whose body has no font of its own, so without this it is the browser's serif.
FONT = "arial, sans-serif"
KEY, KEY_ROW = 12, 22  # a legend swatch's side, and the height of a row of the legend


def _legend(items: list[tuple[str, str]], top: int, width: int) -> tuple[list[SafeString], int]:
    """A swatch and label for each (colour key, label), in rows that fit ``width``; and the height they take."""
    parts, x, y = [], 0, top
    for key, label in items:
        room = KEY + 6 + 7 * len(label) + 18  # about 7 pixels a character at 13px
        if x and x + room > width:
            x, y = 0, y + KEY_ROW
        parts.append(format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#0b0c0c"/>'
                                 '<text x="{}" y="{}" font-size="13">{}</text>', x, y, KEY, KEY,
                                 BAND_COLOURS.get(key, "#1d70b8"), x + KEY + 6, y + KEY - 1, label))
        x += room
    return parts, (y - top + KEY_ROW if items else 0)


def stacked_bars(title: str, rows: list[tuple[str, list[tuple[str, int]]]],
                 legend: list[tuple[str, str]] | None = None) -> SafeString:
    """One horizontal bar per row (e.g. a school), split into coloured parts in proportion (e.g. bands); with
    ``legend`` (each part's key and label), a key to the colours below the bars."""
    bars = len(rows) * (BAR + GAP) + GAP
    key, key_height = _legend(legend or [], bars + GAP, LABEL + WIDTH)
    height = bars + (key_height + GAP if key else 0)
    parts = [format_html('<svg class="yep-chart" role="img" width="{}" height="{}" viewBox="0 0 {} {}" '
                         'font-family="{}"><title>{}</title><desc>{}</desc>', LABEL + WIDTH, height, LABEL + WIDTH,
                         height, FONT, title, _("The table below gives the same figures."))]
    for n, (label, segments) in enumerate(rows):
        y = GAP + n * (BAR + GAP)
        total = sum(v for _k, v in segments) or 1
        parts.append(format_html('<text x="0" y="{}" font-size="13">{}</text>', y + BAR - 5, label[:32]))
        x = float(LABEL)
        for colour, value in segments:
            w = WIDTH * value / total
            if w:
                parts.append(format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>', f"{x:.1f}", y,
                                         f"{w:.1f}", BAR, BAND_COLOURS.get(colour, "#1d70b8")))
            x += w
    parts.extend(key)
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
    out = [format_html('<svg class="yep-chart" role="img" width="{}" height="{}" viewBox="0 0 {} {}" '
                       'font-family="{}"><title>{}</title><desc>{}</desc>', width, height, width, height, FONT,
                       title, _("The table below gives the same figures.")),
           format_html('<polyline fill="none" stroke="#1d70b8" stroke-width="3" points="{}"/>', path)]
    for i, (label, value) in enumerate(points):
        x, y = xy(i, value)
        out.append(format_html('<circle cx="{}" cy="{}" r="4" fill="#1d70b8"/>'
                               '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>',
                               f"{x:.1f}", f"{y:.1f}", f"{x:.1f}", height - 8, label))
    out.append(mark_safe("</svg>"))  # noqa: S308
    return mark_safe("".join(out))  # noqa: S308
