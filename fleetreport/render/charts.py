"""Inline SVG charts drawn from the scored model: no script, no external resource.

Markup is built with ``Markup(...).format(...)``, which escapes every argument, so a pool or
state name can only ever be text inside the SVG.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from markupsafe import Markup

from fleetreport.health.settings import ScoreSettings
from fleetreport.health.states import MACHINE_STATES, RDS_SERVER_STATES, StateClass
from fleetreport.render.labels import plain_label

PALETTE = ("#2e8b57", "#1f5f8b", "#e69b00", "#c0392b", "#7f8c8d", "#8e44ad", "#16a085", "#d35400")
RED, AMBER, GREEN, BLUE, SLATE, GREY = (
    "#c0392b",
    "#e69b00",
    "#2e8b57",
    "#1f5f8b",
    "#7f8c8d",
    "#bdc3c7",
)
CLASS_COLOURS = {
    StateClass.READY: GREEN,
    StateClass.IN_USE: BLUE,
    StateClass.IN_PROGRESS: SLATE,
    StateClass.ATTENTION: AMBER,
    StateClass.PROBLEM: RED,
}
"""A Horizon state's colour follows its class: problems red, an administrator's hold amber."""
STATE_COLOURS = {
    **{state: CLASS_COLOURS[cls] for state, cls in RDS_SERVER_STATES.items()},
    **{state: CLASS_COLOURS[cls] for state, cls in MACHINE_STATES.items()},
    "poweredOn": GREEN,
    "poweredOff": SLATE,
    "suspended": AMBER,
    "unknown": GREY,
    "critical": RED,
    "warning": AMBER,
    "info": "#5b7db1",
}
SEVERITY_ORDER = ("critical", "warning", "info")
"""The severity bar leads with critical, whatever the counts."""
GRADE_COLOURS = {"A": "#2e8b57", "B": "#7aa33a", "C": "#e6b800", "D": "#e67e22", "F": "#c0392b"}
NO_DATA = "#bdc3c7"
DEFAULT_BANDS: Mapping[str, float] = dict(ScoreSettings().grades)
"""The default grade bands (A from 90 ...), used when no report's bands are given."""

RING = Markup(
    '<svg class="chart ring" role="img" viewBox="0 0 {size} {height}" width="{size}"'
    ' height="{height}" aria-label="{label}: {text}{grade_text}">'
    '<circle cx="{centre}" cy="{centre}" r="{radius}" fill="none" stroke="#e5e8eb"'
    ' stroke-width="12"/>'
    '<circle cx="{centre}" cy="{centre}" r="{radius}" fill="none" stroke="{colour}"'
    ' stroke-width="12" stroke-dasharray="{filled} {circumference}"'
    ' transform="rotate(-90 {centre} {centre})"/>'
    '<text x="{centre}" y="{value_y}" text-anchor="middle" font-size="24" font-weight="700">'
    "{text}</text>"
    '<text x="{centre}" y="{label_y}" text-anchor="middle" font-size="13">{label}</text></svg>'
)
SEGMENT = Markup(
    '<rect x="{x}" y="0" width="{width}" height="22" fill="{colour}">'
    "<title>{name}: {count}</title></rect>"
)
LEGEND_ITEM = Markup(
    '<rect x="{x}" y="{y}" width="11" height="11" fill="{colour}"/>'
    '<text x="{text_x}" y="{text_y}" font-size="12">{name} {count}</text>'
)
CHART = Markup(
    '<svg class="chart {kind}" role="img" viewBox="0 0 {width} {height}" width="{width}"'
    ' height="{height}" aria-label="{label}">{body}</svg>'
)
ROW_LABEL = Markup('<text x="0" y="{y}" font-size="12"><title>{full}</title>{name}</text>')
SCORE_BAR = Markup(
    '<rect x="{x}" y="{y}" width="{width}" height="10" fill="{colour}">'
    "<title>{name} {kind}: {value}</title></rect>"
    '<text x="{text_x}" y="{text_y}" font-size="10">{value}</text>'
)
SCORE_LEGEND = Markup(
    '<rect x="{x}" y="{y}" width="10" height="10" fill="#1f5f8b"/>'
    '<text x="{x14}" y="{text_y}" font-size="11">patch</text>'
    '<rect x="{x70}" y="{y}" width="10" height="10" fill="#2e8b57"/>'
    '<text x="{x84}" y="{text_y}" font-size="11">power</text>'
)


def band_of(score: float | None, bands: Mapping[str, float] | None = None) -> str | None:
    """The grade band a score falls in (``F`` below the lowest), None without a score."""
    if score is None:
        return None
    for letter, lowest in sorted((bands or DEFAULT_BANDS).items(), key=lambda kv: -kv[1]):
        if score >= lowest:
            return letter
    return "F"


def score_ring(
    score: float | None,
    grade: str | None,
    label: str,
    size: int = 120,
    bands: Mapping[str, float] | None = None,
) -> Markup:
    """A ring filled to ``score`` percent in the colour of the score's own grade band (not the
    overall ``grade``, which the aria-label names), the score in the middle, the label below."""
    radius = size / 2 - 10
    circumference = 2 * math.pi * radius
    band = band_of(score, bands)
    return RING.format(
        size=size,
        height=size + 22,
        centre=size / 2,
        radius=f"{radius:.1f}",
        colour=GRADE_COLOURS.get(band or "", NO_DATA),
        filled=f"{circumference * (score or 0) / 100:.1f}",
        circumference=f"{circumference:.1f}",
        value_y=size / 2 + 8,
        label_y=size + 16,
        text="n/a" if score is None else f"{score:g}",
        label=label,
        grade_text=f" (grade {grade})" if grade else "",
    )


def stacked_bar(counts: Mapping[str, int], label: str, width: int = 520) -> Markup:
    """One horizontal bar split by category (plain labels, colours by meaning; severities in
    their order, others largest first; values with one label, such as a machine's and an RDS
    host's spelling of a state, are one segment), with a legend of counts under it."""
    total = sum(counts.values())
    parts: list[Markup] = []
    legend: list[Markup] = []
    x = 0.0
    segments = _bar_order(counts)
    for index, (name, raws, count) in enumerate(segments):
        colour = STATE_COLOURS.get(raws[0], PALETTE[index % len(PALETTE)])
        share = width * count / total if total else 0
        parts.append(
            SEGMENT.format(
                x=f"{x:.1f}",
                width=f"{share:.1f}",
                colour=colour,
                name=name if [name] == raws else f"{name} ({', '.join(raws)})",
                count=count,
            )
        )
        x += share
        row, column = divmod(index, 2)
        legend.append(
            LEGEND_ITEM.format(
                x=column * 260,
                y=34 + row * 18,
                colour=colour,
                text_x=column * 260 + 16,
                text_y=44 + row * 18,
                name=_short(name, 30),
                count=f"{count:,}",
            )
        )
    height = 40 + 18 * math.ceil(max(len(segments), 1) / 2)
    return CHART.format(
        kind="bar", width=width, height=height, label=label, body=Markup("").join(parts + legend)
    )


def _bar_order(counts: Mapping[str, int]) -> list[tuple[str, list[str], int]]:
    """(plain label, raw values, count) per segment, in the order the bar draws them."""
    if counts and set(counts) <= set(SEVERITY_ORDER):
        return [(name, [name], counts[name]) for name in SEVERITY_ORDER if name in counts]
    merged: dict[str, tuple[list[str], int]] = {}
    for raw, count in counts.items():
        raws, total = merged.get(plain_label(raw), ([], 0))
        merged[plain_label(raw)] = ([*raws, raw], total + count)
    segments = [(name, raws, count) for name, (raws, count) in merged.items()]
    return sorted(segments, key=lambda segment: -segment[2])


def score_bars(rows: Sequence[tuple[str, float | None, float | None]], width: int = 520) -> Markup:
    """Patch and power score bars per named row (pools)."""
    label_width, row_height = 170, 30
    bar_width = width - label_width - 40
    items: list[Markup] = []
    for index, (name, patch, power) in enumerate(rows):
        y = index * row_height
        items.append(ROW_LABEL.format(y=y + 14, full=name, name=_short(name, 26)))
        for offset, (kind, value, colour) in enumerate(
            (("patch", patch, "#1f5f8b"), ("power", power, "#2e8b57"))
        ):
            length = bar_width * (value or 0) / 100
            items.append(
                SCORE_BAR.format(
                    x=label_width,
                    y=y + 2 + offset * 12,
                    width=f"{length:.1f}",
                    colour=colour,
                    name=name,
                    kind=kind,
                    value="n/a" if value is None else f"{value:g}",
                    text_x=f"{label_width + length + 4:.1f}",
                    text_y=y + 11 + offset * 12,
                )
            )
    height = max(len(rows), 1) * row_height + 16
    items.append(
        SCORE_LEGEND.format(
            x=label_width,
            y=height - 12,
            x14=label_width + 14,
            x70=label_width + 70,
            x84=label_width + 84,
            text_y=height - 3,
        )
    )
    return CHART.format(
        kind="scores", width=width, height=height, label="Pool scores", body=Markup("").join(items)
    )


def _short(text: str, limit: int = 22) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


SERIES_COLOURS = {"patch": "#1f5f8b", "power": "#2e8b57"}
TREND_GRID = Markup(
    '<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="#e1e5ea" stroke-width="1"/>'
    '<text x="{text_x}" y="{text_y}" text-anchor="end" font-size="10">{value}</text>'
)
TREND_LINE = Markup(
    '<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"'
    ' stroke-linejoin="round"/>'
)
TREND_POINT = Markup(
    '<circle cx="{x}" cy="{y}" r="3" fill="{colour}"><title>{date} {name}: {value}</title></circle>'
)
TREND_DATE = Markup('<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="10">{date}</text>')
TREND_LEGEND = Markup(
    '<rect x="{x}" y="{y}" width="10" height="10" fill="{colour}"/>'
    '<text x="{text_x}" y="{text_y}" font-size="11">{name}</text>'
)


def trend_lines(
    dates: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    label: str,
    width: int = 520,
    height: int = 200,
) -> Markup:
    """Score lines (0..100) over runs: one line per named series, ``dates`` under the x axis.

    A missing value (None) breaks its line. The y axis starts at 0, or higher (a multiple of
    10) when every value is well above it, so that a small change stays visible; its range is
    printed on the axis. Every point carries its date and value as a tooltip."""
    left, right, top = 34, 12, 8
    bottom = height - 40  # the x axis; dates and the legend below it
    values = [v for _, points in series for v in points if v is not None]
    floor = max(0, min(int(min(values) // 10) * 10 - 10, 80)) if values else 0
    span = 100 - floor
    count = len(dates)
    plot_width = width - left - right

    def x_of(index: int) -> float:
        return left + (plot_width * index / (count - 1) if count > 1 else plot_width / 2)

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * (min(max(value, floor), 100) - floor) / span

    items: list[Markup] = [
        TREND_GRID.format(
            x1=left,
            x2=width - right,
            y=f"{y_of(value):.1f}",
            text_x=left - 4,
            text_y=f"{y_of(value) + 3.5:.1f}",
            value=f"{value:g}",
        )
        for value in (floor, floor + span / 2, 100)
    ]
    for index, (name, points) in enumerate(series):
        colour = SERIES_COLOURS.get(name, PALETTE[index % len(PALETTE)])
        run: list[str] = []
        for position, value in enumerate([*points, None]):
            if value is not None and position < count:
                run.append(f"{x_of(position):.1f},{y_of(value):.1f}")
                continue
            if len(run) > 1:
                items.append(TREND_LINE.format(points=" ".join(run), colour=colour))
            run = []
        for position, value in enumerate(points[:count]):
            if value is None:
                continue
            items.append(
                TREND_POINT.format(
                    x=f"{x_of(position):.1f}",
                    y=f"{y_of(value):.1f}",
                    colour=colour,
                    date=dates[position],
                    name=name,
                    value=f"{value:g}",
                )
            )
    for position in _label_positions(count, max(2, plot_width // 72)):
        anchor = "middle"
        if count > 1 and position == 0:
            anchor = "start"
        elif count > 1 and position == count - 1:
            anchor = "end"
        items.append(
            TREND_DATE.format(
                x=f"{x_of(position):.1f}", y=bottom + 14, anchor=anchor, date=dates[position]
            )
        )
    for index, (name, _) in enumerate(series):
        colour = SERIES_COLOURS.get(name, PALETTE[index % len(PALETTE)])
        x = left + index * 80
        items.append(
            TREND_LEGEND.format(
                x=x, y=height - 14, colour=colour, text_x=x + 14, text_y=height - 5, name=name
            )
        )
    return CHART.format(
        kind="trend", width=width, height=height, label=label, body=Markup("").join(items)
    )


def _label_positions(count: int, most: int) -> list[int]:
    """Which of ``count`` dates to print, at most ``most`` of them: evenly spread, the first
    and the last always."""
    if count <= most:
        return list(range(count))
    step = math.ceil((count - 1) / (most - 1))
    positions = list(range(0, count - 1, step))
    if count - 1 - positions[-1] < step and len(positions) > 1:
        positions.pop()
    return [*positions, count - 1]


DAY_BAR = Markup(
    '<rect class="day-bar" x="{x}" y="{y}" width="{width}" height="{height}" fill="{colour}">'
    "<title>{day}: {count}</title></rect>"
)
CHART_TITLE = Markup(
    '<title id="{ident}-title">{title}</title><desc id="{ident}-desc">{desc}</desc>'
)
TITLED_CHART = Markup(
    '<svg class="chart {kind}" role="img" viewBox="0 0 {width} {height}" width="{width}"'
    ' height="{height}" aria-labelledby="{ident}-title {ident}-desc">{titles}{body}</svg>'
)


def _titled_chart(
    kind: str, size: tuple[int, int], ident: str, title: str, desc: str, items: Sequence[Markup]
) -> Markup:
    """An accessible chart: the SVG labelled by its title and description, then ``items``."""
    width, height = size
    return TITLED_CHART.format(
        kind=kind,
        width=width,
        height=height,
        ident=ident,
        titles=CHART_TITLE.format(ident=ident, title=title, desc=desc),
        body=Markup("").join(items),
    )


def logons_per_day(
    days: Sequence[tuple[str, int]], ident: str = "usage-days", width: int = 720, height: int = 190
) -> Markup:
    """Vertical bars of logons per day (``YYYY-MM-DD``, count), oldest first: each bar's
    tooltip is its day and count; the y axis is labelled at 0, half and the highest day."""
    left, right, top = 40, 8, 8
    bottom = height - 24
    most = max((count for _, count in days), default=0)
    scale = most or 1
    slot = (width - left - right) / max(len(days), 1)
    bar = max(slot * 0.8, 1.0)
    items: list[Markup] = [
        TREND_GRID.format(
            x1=left,
            x2=width - right,
            y=f"{bottom - (bottom - top) * value / scale:.1f}",
            text_x=left - 4,
            text_y=f"{bottom - (bottom - top) * value / scale + 3.5:.1f}",
            value=f"{value:,.0f}",
        )
        for value in sorted({0, round(most / 2), most})
    ]
    for index, (day, count) in enumerate(days):
        length = (bottom - top) * count / scale
        items.append(
            DAY_BAR.format(
                x=f"{left + index * slot + (slot - bar) / 2:.1f}",
                y=f"{bottom - length:.1f}",
                width=f"{bar:.1f}",
                height=f"{length:.1f}",
                colour=BLUE,
                day=day,
                count=f"{count:,} {'logon' if count == 1 else 'logons'}",
            )
        )
    for position in _label_positions(len(days), max(2, (width - left - right) // 80)):
        anchor, x = "middle", left + (position + 0.5) * slot
        if len(days) > 1 and position == 0:
            anchor, x = "start", left
        elif len(days) > 1 and position == len(days) - 1:
            anchor, x = "end", width - right
        items.append(
            TREND_DATE.format(x=f"{x:.1f}", y=bottom + 14, anchor=anchor, date=days[position][0])
        )
    total = sum(count for _, count in days)
    first, last = (days[0][0], days[-1][0]) if days else ("", "")
    return _titled_chart(
        "usage-days",
        (width, height),
        ident,
        "Logons per day",
        f"{total:,} logons over {len(days)} days from {first} to {last};"
        f" the busiest day had {most:,}.",
        items,
    )


PEAK_ROW = Markup(
    '<rect class="capacity-bar" x="{x}" y="{y}" width="{capacity}" height="16" fill="#dfe4ea">'
    "<title>{name}: {machines} provisioned</title></rect>"
    '<rect class="peak-bar" x="{x}" y="{peak_y}" width="{peak}" height="8" fill="{colour}">'
    "<title>{name}: {peak_words}</title></rect>"
)
MAXIMUM_MARK = Markup(
    '<line class="maximum-mark" x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="#1d2733"'
    ' stroke-width="2"><title>{name}: maximum {maximum}</title></line>'
)
SPARES_MARK = Markup(
    '<line class="spares-mark" x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="{colour}"'
    ' stroke-width="2" stroke-dasharray="3 2"><title>{name}: peak plus {spares} spares needs'
    " {needed}</title></line>"
)
PEAK_LEGEND = Markup(
    '<rect x="{x}" y="{y}" width="10" height="10" fill="#dfe4ea"/>'
    '<text x="{x1}" y="{text_y}" font-size="11">provisioned</text>'
    '<rect x="{x2}" y="{y}" width="10" height="10" fill="{blue}"/>'
    '<text x="{x3}" y="{text_y}" font-size="11">peak sessions (paler: at least)</text>'
    '<line x1="{x4}" y1="{y}" x2="{x4}" y2="{y10}" stroke="#1d2733" stroke-width="2"/>'
    '<text x="{x5}" y="{text_y}" font-size="11">maximum</text>'
    '<line x1="{x6}" y1="{y}" x2="{x6}" y2="{y10}" stroke="{red}" stroke-width="2"'
    ' stroke-dasharray="3 2"/><text x="{x7}" y="{text_y}" font-size="11">needed</text>'
)


def pool_peaks(
    rows: Sequence[tuple[str, int | None, int, int | None, int | None, bool]],
    ident: str = "usage-peaks",
    width: int = 720,
) -> Markup:
    """A bullet chart per pool: (name, peak sessions, machines, maximum, needed, peak is a
    lower bound). The grey bar is what is provisioned, the blue bar inside it the peak (paler
    when only a lower bound), a solid mark the maximum, a dashed mark what the peak needs."""
    label_width, row_height = 190, 26
    plot = width - label_width - 50
    scale = max(
        [
            1,
            *(
                max(machines, peak or 0, maximum or 0, needed or 0)
                for _, peak, machines, maximum, needed, _ in rows
            ),
        ]
    )
    items: list[Markup] = []
    for index, (name, peak, machines, maximum, needed, lower) in enumerate(rows):
        y = index * row_height
        items.append(ROW_LABEL.format(y=y + 14, full=name, name=_short(name, 28)))
        if peak is None:
            peak_words = "peak not known"
        else:
            peak_words = f"{'at least ' if lower else ''}{peak:,} sessions at peak"
        items.append(
            PEAK_ROW.format(
                x=label_width,
                y=y + 2,
                capacity=f"{plot * machines / scale:.1f}",
                name=name,
                machines=f"{machines:,}",
                peak_y=y + 6,
                peak=f"{plot * (peak or 0) / scale:.1f}",
                colour="#8fb3cf" if lower else BLUE,
                peak_words=peak_words,
            )
        )
        if maximum is not None:
            items.append(
                MAXIMUM_MARK.format(
                    x=f"{label_width + plot * maximum / scale:.1f}",
                    y1=y,
                    y2=y + 20,
                    name=name,
                    maximum=f"{maximum:,}",
                )
            )
        if needed is not None and peak is not None:
            items.append(
                SPARES_MARK.format(
                    x=f"{label_width + plot * needed / scale:.1f}",
                    y1=y,
                    y2=y + 20,
                    colour=RED,
                    name=name,
                    spares=f"{needed - peak:,}",
                    needed=f"{needed:,}",
                )
            )
        text_x = label_width + plot * max(machines, maximum or 0, needed or 0) / scale + 6
        items.append(
            Markup('<text x="{x}" y="{y}" font-size="10">{text}</text>').format(
                x=f"{text_x:.1f}",
                y=y + 14,
                text="?" if peak is None else f"{'≥' if lower else ''}{peak:,}/{machines:,}",
            )
        )
    height = max(len(rows), 1) * row_height + 20
    legend_y = height - 12
    x = label_width
    items.append(
        PEAK_LEGEND.format(
            x=x,
            y=legend_y,
            y10=legend_y + 10,
            text_y=legend_y + 9,
            x1=x + 14,
            x2=x + 90,
            x3=x + 104,
            x4=x + 300,
            x5=x + 306,
            x6=x + 370,
            x7=x + 376,
            blue=BLUE,
            red=RED,
        )
    )
    pools = len(rows)
    return _titled_chart(
        "usage-peaks",
        (width, height),
        ident,
        "Peak concurrent sessions per pool against capacity",
        f"{pools:,} {'pool' if pools == 1 else 'pools'}: each pool's machines"
        " provisioned, its most sessions at once in the window, its maximum and what the"
        " peak needs with the pool's spares; the table below gives the same figures.",
        items,
    )
