"""The search page's date histogram: the matches per year (the search's year facet) as the
bars of ``reader.chart``, each a link to the same search narrowed to that year."""

from __future__ import annotations

from dataclasses import dataclass

from reader.chart import Bar, Chart, year_chart
from reader.links import query_string, year_params


@dataclass(frozen=True)
class LinkedBar:
    bar: Bar
    url: str


@dataclass(frozen=True)
class Histogram:
    chart: Chart
    bars: tuple[LinkedBar, ...]
    total: int


def match_histogram(years: list[dict], params: dict[str, str]) -> Histogram | None:
    """The histogram of ``years`` (``{"value": "2023", "count": 4}``), or None when fewer
    than two years have matches (one bar says nothing the count does not)."""
    chart = year_chart(years)
    if chart is None or len([bar for bar in chart.bars if bar.count]) < 2:
        return None
    bars = tuple(
        LinkedBar(bar, query_string(params, **year_params(str(bar.year)))) for bar in chart.bars
    )
    return Histogram(chart=chart, bars=bars, total=sum(item["count"] for item in years))
