"""The salary bars: one per figure, beside its numbers in the detail tables.

Bars compare like with like only: every figure of one comparable set (same
currency, period, statistic and pay basis) is drawn on one scale, 0 to the
set's largest value across the whole guide, so a €60,000 bar is as long in
Germany's table as in Spain's; a figure in another currency or on another
basis is on another scale, in another table, never side by side. The bar runs
from 0 to the median; where the source publishes the 25th and 75th percentiles
a box spans them around the median, as levels.fyi draws them.

The bar is inline SVG (classes only: the CSP allows no style attributes) and is
hidden from screen readers: the same row states every number in words, which is
the bar's text alternative. Pure functions over fetched rows.
"""

from dataclasses import dataclass

from django.utils.safestring import mark_safe

from .templatetags.money import money

WIDTH = 100  # viewBox units; CSS stretches the drawing to the cell's width


@dataclass(frozen=True)
class Scale:
    """The axis shared by one comparable set: 0 to `top`, in `currency`."""

    top: int
    currency: str

    @property
    def label(self):
        return f"0 to {money(self.top, self.currency)}"

    def x(self, amount):
        return round(WIDTH * amount / self.top, 1)


def scales(figures, key):
    """{key(figure): Scale} over all `figures`: each set's axis ends at its
    largest published value (a 75th percentile, or else a median)."""
    tops = {}
    for f in figures:
        k = key(f)
        tops[k] = max(tops.get(k, 0), f.p75 or f.amount)
    return {k: Scale(top, k[0]) for k, top in tops.items()}


@dataclass(frozen=True)
class Bar:
    median: float
    low: float | None = None  # the 25th percentile, where published with the 75th
    high: float | None = None

    @property
    def svg(self):
        """The drawing; every value is a number of ours, so nothing needs escaping."""
        median = max(self.median, 0.8)  # a tiny figure still gets a visible bar
        parts = [
            f'<svg class="bar" viewBox="0 0 {WIDTH} 12" preserveAspectRatio="none" '
            'aria-hidden="true" focusable="false">',
            f'<rect class="bar-track" x="0" y="5.5" width="{WIDTH}" height="1"/>',
        ]
        if self.low is not None and self.high is not None:
            # Under the median bar, so the bar stays visible inside the box.
            parts.append(
                f'<rect class="bar-range" x="{self.low}" y="1" '
                f'width="{round(self.high - self.low, 1)}" height="10"/>'
            )
        parts.append(f'<rect class="bar-median" x="0" y="4" width="{median}" height="4"/>')
        tick = round(median - 0.6, 1)
        parts.append(f'<rect class="bar-tick" x="{tick}" y="0" width="1.2" height="12"/></svg>')
        return mark_safe("".join(parts))


def bar_for(figure, scale):
    """`figure`'s bar on `scale`; the percentile box only when both are published."""
    if figure.p25 and figure.p75:
        return Bar(scale.x(figure.amount), scale.x(figure.p25), scale.x(figure.p75))
    return Bar(scale.x(figure.amount))
