"""Bar charts of a country's salary figures, drawn as inline SVG on the server.

One chart per country, currency and period: figures in different currencies or
periods are never on one axis, and nothing is converted. Grades without a
figure get a labelled row with no bar. Pure functions over fetched rows.
"""

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

# A narrow drawing: on a phone it is shown close to 1:1, so labels stay legible;
# CSS caps its width on large screens.
WIDTH = 360
BAR_START = 0
BAR_SPACE = WIDTH - 96  # room for the value label after the bar
ROW = 44  # a label line, then the bar
TOP = 4


@dataclass
class Bar:
    label: str
    detail: str
    figure: object = None
    y: int = 0
    width: int = 0

    @property
    def text_y(self):
        return self.y + 13

    @property
    def bar_y(self):
        return self.y + 19

    @property
    def value_y(self):
        return self.y + 33

    @property
    def value_x(self):
        return BAR_START + self.width + 6


@dataclass
class Chart:
    country: object
    currency: str
    period: str
    bars: list = field(default_factory=list)
    sources: list = field(default_factory=list)
    missing: list = field(default_factory=list)

    @property
    def height(self):
        return TOP * 2 + ROW * len(self.bars)

    @property
    def period_label(self):
        return "per year" if self.period == "year" else "per month"

    width = WIDTH
    bar_start = BAR_START

    def title(self):
        parts = [
            f"{self.country.name}: salary figures in {self.currency} {self.period_label}, by grade"
        ]
        for bar in self.bars:
            detail = f" ({bar.detail})" if bar.detail else ""
            value = bar.figure.amount_label if bar.figure else "no reliable figure yet"
            parts.append(f"{bar.label}{detail}: {value}")
        return "; ".join(parts)

    index: int = 1

    @property
    def svg(self):
        """The chart as inline SVG. Built here rather than in a template loop:
        it is the hottest part of the page, and every text is escaped."""
        chart_id = f"chart-{self.country.code}-{self.index}"
        out = [
            f'<svg viewBox="0 0 {WIDTH} {self.height}" width="{WIDTH}" height="{self.height}" '
            f'role="img" aria-labelledby="{chart_id}-t" focusable="false">'
            f'<title id="{chart_id}-t">{escape(self.title())}</title>'
        ]
        for bar in self.bars:
            detail = ""
            if bar.detail:
                short = escape(Truncator(bar.detail).chars(36))
                detail = f'<tspan class="chart-detail"> · {short}</tspan>'
            label = escape(bar.label)
            out.append(f'<text x="0" y="{bar.text_y}" class="chart-label">{label}{detail}</text>')
            if bar.figure is None:
                missing = "No reliable figure yet"
                out.append(f'<text x="0" y="{bar.value_y}" class="chart-missing">{missing}</text>')
                continue
            proxy = " chart-bar--proxy" if bar.figure.is_proxy_role else ""
            out.append(
                f'<rect x="{BAR_START}" y="{bar.bar_y}" width="{bar.width}" height="18" rx="3" '
                f'class="chart-bar{proxy}"/>'
                f'<text x="{bar.value_x}" y="{bar.value_y}" class="chart-value">'
                f"{escape(bar.figure.amount_label)}</text>"
            )
        out.append("</svg>")
        # Safe: every text above is escaped, every number is ours.
        return mark_safe("".join(out))


def charts_for(table):
    """Charts for one CountryTable (see salaries.tables)."""
    groups = {}
    for row in table.rows:
        for f in row.figures:
            groups.setdefault((f.currency, f.period), []).append((row.grade, f))
    if not groups:
        return []
    # Grades with no figure at all are shown (without a bar) on the main chart:
    # the one in the country's most used currency and period.
    main = max(groups, key=lambda key: len(groups[key]))
    missing = [row.grade for row in table.rows if not row.figures]
    charts = []
    for (currency, period), items in groups.items():
        chart = Chart(table.country, currency, period)
        top = max(f.amount for _, f in items)
        rows = [(g, f) for g, f in items]
        if (currency, period) == main:
            rows += [(g, None) for g in missing]
            chart.missing = missing
            rows.sort(key=lambda gf: gf[0].position)
        for i, (grade, f) in enumerate(rows):
            detail = ""
            if f is not None:
                detail = f.segment or f.source.label
                if f.is_proxy_role:
                    detail += " (proxy role)"
            bar = Bar(label=grade.name, detail=detail, figure=f, y=TOP + i * ROW)
            if f is not None:
                bar.width = max(2, round(BAR_SPACE * f.amount / top))
            chart.bars.append(bar)
        chart.sources = sorted({f.source for _, f in items}, key=lambda s: s.name.lower())
        charts.append(chart)
    charts.sort(key=lambda c: (c.currency, c.period) != main)
    for i, chart in enumerate(charts, start=1):
        chart.index = i
    return charts
