"""Group a guide's salary figures for display: region → country → grade.

Pure functions over already-fetched rows, so the page's query count stays fixed.
"""

from dataclasses import dataclass, field
from itertools import groupby

from .templatetags.money import money


@dataclass
class GradeRow:
    grade: object
    figures: list = field(default_factory=list)


@dataclass
class CountryTable:
    country: object
    rows: list

    @property
    def charts(self):
        from .chart import charts_for

        return charts_for(self)


@dataclass
class RegionSalaries:
    region: object
    countries: list


def salary_tables(figures, grades):
    """Tables per country with a row per grade.

    Every real grade gets a row (an empty one says 'no reliable figure yet');
    the 'All levels' row appears only where a source gives such a figure.
    Amounts are formatted here once; the table and the chart both show them.
    """
    for f in figures:
        f.amount_label = money(f.amount, f.currency)
        f.range_label = (
            f"{money(f.p25, f.currency)}–{money(f.p75, f.currency)}" if f.p25 and f.p75 else ""
        )
    regions = []
    for region, region_figures in groupby(figures, key=lambda f: f.country.region):
        countries = []
        for country, country_figures in groupby(region_figures, key=lambda f: f.country):
            by_grade = {}
            for figure in country_figures:
                by_grade.setdefault(figure.grade.pk, []).append(figure)
            rows = [
                GradeRow(grade, by_grade.get(grade.pk, []))
                for grade in grades
                if not grade.is_all_levels or grade.pk in by_grade
            ]
            countries.append(CountryTable(country, rows))
        regions.append(RegionSalaries(region, countries))
    return regions


def sources_used(figures):
    """The distinct sources behind the figures shown, in name order."""
    return sorted({f.source for f in figures}, key=lambda s: s.name.lower())
