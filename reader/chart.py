"""A speaker's statements per year as the numbers of a bar chart, drawn as SVG by the
template on the server: readable without JavaScript, and no chart library to load."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 200
PLOT_TOP, PLOT_BOTTOM, PLOT_LEFT = 16, 170, 32
GAP = 0.2  # of each bar's slot


@dataclass(frozen=True)
class Bar:
    year: int
    count: int
    x: float
    y: float
    width: float
    height: float

    @property
    def label_x(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    most: int
    width: int = WIDTH
    height: int = HEIGHT
    top: int = PLOT_TOP
    bottom: int = PLOT_BOTTOM
    left: int = PLOT_LEFT

    @property
    def label_y(self) -> int:
        return self.bottom + 20

    @property
    def first(self) -> int:
        return self.bars[0].year

    @property
    def last(self) -> int:
        return self.bars[-1].year

    @property
    def labelled(self) -> tuple[Bar, ...]:
        """The bars whose year is written under them: about eight, always the first and
        the last."""
        step = max(1, round(len(self.bars) / 8))
        return tuple(
            bar for i, bar in enumerate(self.bars) if i % step == 0 or i == len(self.bars) - 1
        )


def year_chart(years: list[dict]) -> Chart | None:
    """A chart of the year facet's counts (``{"value": "2023", "count": 4}``), every year
    from the first to the last shown, those without statements as empty slots."""
    counts = {int(item["value"]): item["count"] for item in years}
    if not counts:
        return None
    first, last = min(counts), max(counts)
    most = max(counts.values())
    slot = (WIDTH - PLOT_LEFT) / (last - first + 1)
    bars = []
    for index, year in enumerate(range(first, last + 1)):
        count = counts.get(year, 0)
        height = (PLOT_BOTTOM - PLOT_TOP) * count / most
        bars.append(
            Bar(
                year=year,
                count=count,
                x=round(PLOT_LEFT + index * slot + slot * GAP / 2, 1),
                y=round(PLOT_BOTTOM - height, 1),
                width=round(slot * (1 - GAP), 1),
                height=round(height, 1),
            )
        )
    return Chart(bars=tuple(bars), most=most)
