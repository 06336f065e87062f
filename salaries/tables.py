"""A guide's salary figures arranged for reading: one summary, detail on demand.

- The **summary** has a row per country and a column per grade (plus "All
  levels" where a source gives no grade). Figures in one cell that are
  comparable (same currency, period, statistic and pay basis) show as one
  range, lowest to highest; figures that are not stay apart in the cell.
  Proxy roles and pay bases other than base salary carry a short mark, which
  the summary's note explains.
- The **detail** is per country, one table per comparable set, every figure
  with its source, data year, percentiles and note, and a bar on one scale
  per comparable set (`salaries.chart`).

Nothing is converted or averaged. Pure functions over already-fetched rows, so
the page's query count stays fixed.
"""

from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby

from .chart import bar_for, scales
from .models import SalaryFigure
from .templatetags.money import in_sentence, money


def comparable_key(figure):
    """Figures compare only when all four match."""
    return (figure.currency, figure.period, figure.statistic, figure.pay_basis)


def period_label(period):
    return "a year" if period == SalaryFigure.Period.YEAR else "a month"


@dataclass(frozen=True)
class Mark:
    """A footnote-style mark in a summary cell, explained in the summary's note."""

    key: str  # the note's anchor: #salary-mark-<key>
    label: str  # shown in the cell
    spoken: str  # what a screen reader hears after the label
    explanation: str  # the note's words

    @property
    def anchor(self):
        return f"salary-mark-{self.key}"


# Keyed "proxy" or by a pay basis or statistic value; in the order the note lists them.
MARKS = {
    "proxy": Mark(
        "proxy",
        "proxy",
        "proxy role",
        "a related role (engineering managers, software architects) mapped to this grade.",
    ),
    "total": Mark(
        "total",
        "total",
        "total compensation",
        "total compensation: salary plus bonuses and perks.",
    ),
    "advertised": Mark(
        "advertised",
        "ads",
        "advertised pay",
        "pay quoted in job ads, not what people earn.",
    ),
    "b2b": Mark(
        "b2b",
        "B2B",
        "B2B contract rate",
        "a contractor's rate net of VAT, not a gross salary.",
    ),
    "mean": Mark("mean", "mean", "mean", "an average (mean), not a median."),
}


def marks_for(figures):
    """The marks a group of comparable figures carries, in the note's order."""
    keys = set()
    if any(f.is_proxy_role for f in figures):
        keys.add("proxy")
    keys.update(str(f.pay_basis) for f in figures)
    keys.update(str(f.statistic) for f in figures)
    return [mark for key, mark in MARKS.items() if key in keys]


def _distinct(items):
    return list(dict.fromkeys(items))


@dataclass
class FigureGroup:
    """Comparable figures of one summary cell. Its labels are worked out once
    each (the cell reads them several times over)."""

    figures: list
    marks: list = field(default_factory=list)

    @property
    def currency(self):
        return self.figures[0].currency

    @property
    def period_label(self):
        return period_label(self.figures[0].period)

    @cached_property
    def sources(self):
        return _distinct(f.source for f in self.figures)

    @property
    def is_range(self):
        return len({f.amount for f in self.figures}) > 1

    @cached_property
    def low_label(self):
        return money(min(f.amount for f in self.figures), self.currency)

    @cached_property
    def high_label(self):
        """The top of the range, or '' for one amount."""
        high = money(max(f.amount for f in self.figures), self.currency)
        return "" if high == self.low_label else high

    @cached_property
    def amount_label(self):
        return f"{self.low_label}–{self.high_label}" if self.high_label else self.low_label

    @cached_property
    def count_label(self):
        """'StepStone 2026' for one figure; '3 sources', or '2 figures, 1 source'."""
        figures, sources = len(self.figures), len(self.sources)
        if figures == 1:
            return self.sources[0].label
        if figures == sources:
            return f"{sources} sources"
        return f"{figures} figures, {sources} source{'s' if sources > 1 else ''}"


@dataclass
class SummaryCell:
    grade: object
    groups: list  # [FigureGroup], the cell's comparable sets in page order


@dataclass
class SummaryRow:
    country: object
    cells: list


@dataclass
class SourceCredit:
    """A source as the summary's note names it: its short label and data year(s)."""

    source: object
    years: list  # the data years of its figures shown, ascending

    @property
    def label(self):
        label = self.source.label
        missing = [str(y) for y in self.years if str(y) not in label]
        return f"{label} (data {', '.join(missing)})" if missing else label


@dataclass
class Summary:
    grades: list  # the columns
    rows: list
    marks: list  # the marks used, in the note's order
    sources: list  # [SourceCredit] for every source of the figures, in name order


def summary(figures, grades):
    """The summary table: a row per country (in the figures' order), a column per
    grade. Every real grade is a column (an empty cell says so); an "All levels"
    column only where a source gives such a figure."""
    used = {f.grade.pk for f in figures}
    columns = [g for g in grades if not g.is_all_levels or g.pk in used]
    rows, marks = [], set()
    for country, country_figures in groupby(figures, key=lambda f: f.country):
        by_grade = {}
        for figure in country_figures:
            sets = by_grade.setdefault(figure.grade.pk, {})
            sets.setdefault(comparable_key(figure), []).append(figure)
        cells = []
        for grade in columns:
            groups = [
                FigureGroup(group, marks_for(group))
                for group in by_grade.get(grade.pk, {}).values()
            ]
            for group in groups:
                marks.update(m.key for m in group.marks)
            cells.append(SummaryCell(grade, groups))
        rows.append(SummaryRow(country, cells))
    used_marks = [m for m in MARKS.values() if m.key in marks]
    years = {}
    for f in figures:
        years.setdefault(f.source, set()).add(f.data_year)
    credits = [SourceCredit(s, sorted(years[s])) for s in sources_used(figures)]
    return Summary(columns, rows, used_marks, credits)


@dataclass
class FigureSet:
    """The figures of one country that compare with each other, with their bars."""

    figures: list
    scale: object

    @property
    def label(self):
        f = self.figures[0]
        statistic = in_sentence(SalaryFigure.Statistic(f.statistic).label)
        basis = in_sentence(SalaryFigure.PayBasis(f.pay_basis).label)
        return f"{f.currency} {period_label(f.period)}, {statistic} {basis}"


@dataclass
class CountryDetail:
    country: object
    sets: list  # [FigureSet]

    @property
    def figures(self):
        return [f for s in self.sets for f in s.figures]

    @property
    def sources(self):
        return _distinct(f.source for f in self.figures)

    @property
    def count_label(self):
        figures = len(self.figures)
        return f"{figures} figure{'s' if figures > 1 else ''}"


def details(figures):
    """Per country, the figures grouped into comparable sets (the largest set
    first; proxy roles last within a set), each figure with its labels and its
    bar on its set's guide-wide scale."""
    scale_of = scales(figures, comparable_key)
    for f in figures:
        f.amount_label = money(f.amount, f.currency)
        f.range_label = (
            f"{money(f.p25, f.currency)}–{money(f.p75, f.currency)}" if f.p25 and f.p75 else ""
        )
        f.bar = bar_for(f, scale_of[comparable_key(f)])
    countries = []
    for country, country_figures in groupby(figures, key=lambda f: f.country):
        sets = {}
        for figure in country_figures:
            sets.setdefault(comparable_key(figure), []).append(figure)
        ordered = sorted(sets.items(), key=lambda item: -len(item[1]))  # stable on ties
        for _, rows in ordered:
            # A proxy role (an engineering manager standing in for "Lead") goes
            # below the figures for the job itself, whatever its grade.
            rows.sort(key=lambda f: f.is_proxy_role)
        countries.append(
            CountryDetail(country, [FigureSet(rows, scale_of[key]) for key, rows in ordered])
        )
    return countries


def sources_used(figures):
    """The distinct sources behind the figures shown, in name order."""
    return sorted({f.source for f in figures}, key=lambda s: s.name.lower())


def data_years(figures):
    """(earliest, latest) data year of the figures, or None."""
    years = [f.data_year for f in figures]
    return (min(years), max(years)) if years else None
