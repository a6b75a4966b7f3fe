"""The forecast as a bar chart drawn on the server (SVG): no script, no library, prints as it shows."""
from __future__ import annotations

from dataclasses import dataclass

from quarantine.county.forecast import CountyDay

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 40


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    y: float
    height: float
    value: int


@dataclass(frozen=True)
class Column:
    label: str  # the day, e.g. 12-03
    label_x: float
    takes: Bar  # people the county could take that day
    after: Bar  # what is left after the batches expected by then (0 when short)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    base_y: float
    top_y: float
    scale_max: int
    ticks: list[tuple[float, int]]
    columns: list[Column]


def _nice_max(value: int) -> int:
    """A round top for the axis: 0 → 10, 1,234 → 1,500."""
    if value <= 10:
        return 10
    step = 10 ** (len(str(value)) - 1)
    for factor in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= factor * step:
            return int(factor * step)
    return value


def forecast_chart(days: list[CountyDay]) -> Chart:
    top = _nice_max(max([d.figure.takes for d in days] + [0]))
    plot_h, plot_w = HEIGHT - TOP - BOTTOM, WIDTH - LEFT - RIGHT
    slot = plot_w / max(len(days), 1)
    base = TOP + plot_h

    def bar(x: float, width: float, value: int) -> Bar:
        h = plot_h * max(value, 0) / top
        return Bar(round(x, 1), round(width, 1), round(base - h, 1), round(h, 1), value)

    columns = []
    for i, d in enumerate(days):
        x = LEFT + i * slot + slot * 0.15
        columns.append(Column(d.figure.day.strftime("%m-%d"), round(LEFT + (i + 0.5) * slot, 1),
                              bar(x, slot * 0.4, d.figure.takes), bar(x + slot * 0.4, slot * 0.3, d.after_waiting)))
    ticks = [(round(base - plot_h * k / 4, 1), top * k // 4) for k in range(5)]
    return Chart(WIDTH, HEIGHT, base, TOP, top, ticks, columns)
