"""The summary (a row per country, a column per grade) and the detail (per country,
one table per comparable set), from already-fetched rows (no database): plain
stand-ins for the models, checking what the tables show."""

from dataclasses import dataclass

from salaries.tables import MARKS, data_years, details, sources_used, summary


@dataclass(frozen=True)
class Region:
    name: str


@dataclass(frozen=True)
class Country:
    name: str
    code: str
    region: Region


@dataclass(frozen=True)
class Grade:
    pk: int
    name: str
    position: int
    is_all_levels: bool = False


@dataclass(frozen=True)
class Source:
    name: str
    short_name: str = ""
    url: str = "https://example.org/source"

    @property
    def label(self):
        return self.short_name or self.name


SO = Source("Stack Overflow Developer Survey 2025", "Stack Overflow 2025")


@dataclass(eq=False)
class Figure:
    country: Country
    grade: Grade
    amount: int
    currency: str = "EUR"
    period: str = "year"
    statistic: str = "median"
    pay_basis: str = "base"
    p25: int | None = None
    p75: int | None = None
    source: Source = SO
    segment: str = ""
    is_proxy_role: bool = False
    data_year: int = 2025


EUROPE, AMERICAS = Region("Europe"), Region("North America")
DE = Country("Germany", "DE", EUROPE)
ES = Country("Spain", "ES", EUROPE)
PL = Country("Poland", "PL", EUROPE)
US = Country("United States", "US", AMERICAS)
JUNIOR, MIDDLE, SENIOR, LEAD = (
    Grade(i + 1, name, i) for i, name in enumerate(["Junior", "Middle", "Senior", "Lead"])
)
ALL_LEVELS = Grade(9, "All levels", 9, is_all_levels=True)
GRADES = [JUNIOR, MIDDLE, SENIOR, LEAD, ALL_LEVELS]
STEPSTONE = Source("StepStone Gehaltsreport 2026", "StepStone 2026")
GLASSDOOR = Source("Glassdoor (as reported by WeAreDevelopers)", "Glassdoor")
GEHALT = Source("gehalt.de (as reported by Statista)", "gehalt.de 2023")
BLS = Source("U.S. Bureau of Labor Statistics", "BLS OEWS 2024")
MANFRED = Source("Manfred analysis", "Manfred 2025")
BVALUE = Source("bValue study", "bValue 2022")


def starter_like():
    """The starter guide's shapes, in the page query's order (region, country, grade)."""
    return [
        Figure(DE, JUNIOR, 53000, source=STEPSTONE, segment="All IT job starters", data_year=2026),
        Figure(DE, JUNIOR, 57387, source=GLASSDOOR, data_year=2023),
        Figure(DE, JUNIOR, 56000, source=GEHALT, data_year=2023),
        Figure(DE, LEAD, 118335, "USD", pay_basis="total", is_proxy_role=True, segment="EMs"),
        Figure(DE, LEAD, 109054, "USD", pay_basis="total", is_proxy_role=True, segment="Arch"),
        Figure(ES, SENIOR, 40000, source=MANFRED, segment="Tier 1"),
        Figure(ES, SENIOR, 60000, source=MANFRED, segment="Tier 2"),
        Figure(ES, SENIOR, 90000, source=MANFRED, segment="Tier 3"),
        Figure(PL, JUNIOR, 7500, "PLN", "month", pay_basis="b2b", source=BVALUE, data_year=2022),
        Figure(US, ALL_LEVELS, 133080, "USD", p25=103050, p75=169000, source=BLS, data_year=2024),
        Figure(US, ALL_LEVELS, 175000, "USD", pay_basis="total"),
    ]


def cell(table, code, grade):
    row = next(r for r in table.rows if r.country.code == code)
    return next(c for c in row.cells if c.grade is grade)


def shown(c):
    """What a summary cell shows: per group (amount, period, marks, count)."""
    return [
        (g.amount_label, g.period_label, [m.label for m in g.marks], g.count_label)
        for g in c.groups
    ]


def test_a_row_per_country_and_a_column_per_grade_all_levels_only_when_used():
    table = summary(starter_like(), GRADES)
    assert [r.country.code for r in table.rows] == ["DE", "ES", "PL", "US"]
    assert table.grades == GRADES
    assert [len(r.cells) for r in table.rows] == [5, 5, 5, 5]
    without_all_levels = summary([Figure(DE, JUNIOR, 1)], GRADES)
    assert without_all_levels.grades == [JUNIOR, MIDDLE, SENIOR, LEAD]


def test_comparable_figures_show_as_one_range_with_their_count():
    table = summary(starter_like(), GRADES)
    # Three sources for Germany Junior, all EUR a year, median base salary.
    assert shown(cell(table, "DE", JUNIOR)) == [("€53,000–€57,387", "a year", [], "3 sources")]
    # Three segments of one source: figures, not sources.
    assert shown(cell(table, "ES", SENIOR)) == [
        ("€40,000–€90,000", "a year", [], "3 figures, 1 source")
    ]
    # One figure: the figure itself and its source's label.
    assert shown(cell(table, "PL", JUNIOR)) == [
        ("PLN\u00a07,500", "a month", ["B2B"], "bValue 2022")
    ]


def test_figures_that_do_not_compare_stay_apart_in_their_cell():
    table = summary(starter_like(), GRADES)
    # US "all levels": a base salary and a total compensation, both USD a year.
    assert shown(cell(table, "US", ALL_LEVELS)) == [
        ("$133,080", "a year", [], "BLS OEWS 2024"),
        ("$175,000", "a year", ["total"], "Stack Overflow 2025"),
    ]
    # Any one of currency, period, statistic or pay basis keeps figures apart.
    for other in [
        {"currency": "USD"},
        {"period": "month"},
        {"statistic": "mean"},
        {"pay_basis": "advertised"},
    ]:
        figures = [Figure(DE, JUNIOR, 50000), Figure(DE, JUNIOR, 60000, **other)]
        assert len(cell(summary(figures, GRADES), "DE", JUNIOR).groups) == 2, other
    same = [Figure(DE, JUNIOR, 50000), Figure(DE, JUNIOR, 60000, source=GLASSDOOR)]
    assert len(cell(summary(same, GRADES), "DE", JUNIOR).groups) == 1


def test_an_empty_cell_is_kept_with_no_figures():
    table = summary(starter_like(), GRADES)
    assert cell(table, "DE", MIDDLE).groups == []
    assert cell(table, "ES", ALL_LEVELS).groups == []


def test_proxy_roles_and_other_pay_bases_are_marked_and_the_note_lists_only_marks_used():
    table = summary(starter_like(), GRADES)
    assert shown(cell(table, "DE", LEAD)) == [
        ("$109,054–$118,335", "a year", ["proxy", "total"], "2 figures, 1 source")
    ]
    assert [m.key for m in table.marks] == ["proxy", "total", "b2b"]
    advertised = summary([Figure(DE, JUNIOR, 1, pay_basis="advertised")], GRADES)
    assert [m.label for m in advertised.marks] == ["ads"]
    mean = summary([Figure(DE, JUNIOR, 1, statistic="mean")], GRADES)
    assert [m.key for m in mean.marks] == ["mean"]
    base = summary([Figure(DE, JUNIOR, 1)], GRADES)
    assert base.marks == [] and cell(base, "DE", JUNIOR).groups[0].marks == []
    # Every mark explains itself and names the note entry it links to.
    for mark in MARKS.values():
        assert mark.anchor == f"salary-mark-{mark.key}" and mark.explanation.endswith(".")


def test_the_note_names_every_source_with_its_data_year():
    credits = summary(starter_like(), GRADES).sources
    assert [c.source for c in credits] == sources_used(starter_like())
    labels = {c.source.short_name: c.label for c in credits}
    assert labels["StepStone 2026"] == "StepStone 2026"  # the year is in the label
    assert labels["Glassdoor"] == "Glassdoor (data 2023)"
    assert labels["Stack Overflow 2025"] == "Stack Overflow 2025"


def test_the_detail_has_one_table_per_comparable_set_largest_first():
    countries = details(starter_like())
    assert [d.country.code for d in countries] == ["DE", "ES", "PL", "US"]
    germany = countries[0]
    assert [s.label for s in germany.sets] == [
        "EUR a year, median base salary",
        "USD a year, median total compensation",
    ]
    assert [[f.amount for f in s.figures] for s in germany.sets] == [
        [53000, 57387, 56000],
        [118335, 109054],
    ]
    assert germany.count_label == "5 figures" and germany.sources == [
        STEPSTONE,
        GLASSDOOR,
        GEHALT,
        SO,
    ]
    poland = countries[2]
    assert poland.sets[0].label == "PLN a month, median B2B contract rate"
    assert countries[3].count_label == "2 figures"


def test_a_proxy_role_goes_below_the_figures_for_the_job_itself():
    """Stack Overflow's back-end median (all levels) sorts after Lead by grade,
    but proxy roles are only stand-ins: they come last in their table."""
    backend = Figure(DE, ALL_LEVELS, 87011, "USD", pay_basis="total", segment="Back-end")
    germany = details([*starter_like()[:5], backend])[0]
    usd = germany.sets[1]
    assert [f.amount for f in usd.figures] == [87011, 118335, 109054]


def test_each_figure_gets_its_labels_and_a_bar_on_its_sets_guide_wide_scale():
    figures = starter_like()
    countries = details(figures)
    germany_eur, spain = countries[0].sets[0], countries[1].sets[0]
    # One scale for EUR a year, median base salary, in every country: up to Spain's €90,000.
    assert germany_eur.scale is spain.scale and spain.scale.label == "0 to €90,000"
    assert [f.bar.median for f in germany_eur.figures] == [58.9, 63.8, 62.2]
    bls = figures[9]
    assert (bls.amount_label, bls.range_label) == ("$133,080", "$103,050–$169,000")
    assert (bls.bar.low, bls.bar.median, bls.bar.high) == (61.0, 78.7, 100.0)
    assert figures[0].range_label == "" and figures[0].bar.low is None


def test_data_years_and_no_figures():
    assert data_years(starter_like()) == (2022, 2026)
    assert data_years([]) is None
    empty = summary([], GRADES)
    assert empty.rows == [] and empty.sources == [] and empty.marks == []
    assert details([]) == []
    assert sources_used([]) == []


def test_sources_are_listed_once_in_name_order_ignoring_case():
    glassdoor, eurostat, so = Source("glassdoor"), Source("Eurostat"), Source("Stack Overflow")
    figures = [
        Figure(DE, JUNIOR, 1, source=so),
        Figure(DE, MIDDLE, 2, source=glassdoor),
        Figure(PL, JUNIOR, 3, source=eurostat),
        Figure(PL, MIDDLE, 4, source=so),
    ]
    assert sources_used(figures) == [eurostat, glassdoor, so]
