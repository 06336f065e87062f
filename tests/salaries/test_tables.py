"""Salary tables grouped region → country → grade, from already-fetched rows
(no database): plain stand-ins for the models, checking what the tables show."""

from dataclasses import dataclass

from salaries.tables import CountryTable, GradeRow, salary_tables, sources_used


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

    @property
    def label(self):
        return self.short_name or self.name


@dataclass(eq=False)
class Figure:
    country: Country
    grade: Grade
    amount: int
    currency: str = "EUR"
    period: str = "year"
    p25: int | None = None
    p75: int | None = None
    source: Source = Source("Stack Overflow Developer Survey", "Stack Overflow")
    segment: str = ""
    is_proxy_role: bool = False


EUROPE, AMERICAS = Region("Europe"), Region("North America")
DE = Country("Germany", "DE", EUROPE)
PL = Country("Poland", "PL", EUROPE)
US = Country("United States", "US", AMERICAS)
JUNIOR, MIDDLE, SENIOR = Grade(1, "Junior", 0), Grade(2, "Middle", 1), Grade(3, "Senior", 2)
ALL_LEVELS = Grade(9, "All levels", 9, is_all_levels=True)
GRADES = [JUNIOR, MIDDLE, SENIOR, ALL_LEVELS]


def rows(table):
    return [(row.grade.name, [f.amount_label for f in row.figures]) for row in table.rows]


def shape(regions):
    """What the page lays out: region, country, and per grade row the amounts."""
    return [(r.region.name, [(t.country.code, rows(t)) for t in r.countries]) for r in regions]


def test_figures_are_grouped_by_region_then_country_with_a_row_per_grade():
    # Rows arrive ordered by region and country, as the page's query orders them.
    figures = [
        Figure(DE, JUNIOR, 53000),
        Figure(DE, SENIOR, 85000),
        Figure(DE, JUNIOR, 56000, source=Source("Stepstone")),
        Figure(PL, JUNIOR, 7500, currency="PLN", period="month"),
        Figure(US, MIDDLE, 118335, currency="USD"),
        Figure(US, ALL_LEVELS, 120000, currency="USD"),
    ]
    assert shape(salary_tables(figures, GRADES)) == [
        (
            "Europe",
            [
                (
                    "DE",
                    [("Junior", ["€53,000", "€56,000"]), ("Middle", []), ("Senior", ["€85,000"])],
                ),
                ("PL", [("Junior", ["PLN\u00a07,500"]), ("Middle", []), ("Senior", [])]),
            ],
        ),
        (
            "North America",
            [
                (
                    "US",
                    [
                        ("Junior", []),
                        ("Middle", ["$118,335"]),
                        ("Senior", []),
                        ("All levels", ["$120,000"]),
                    ],
                ),
            ],
        ),
    ]


def test_the_result_is_made_of_tables_and_rows():
    figure = Figure(DE, JUNIOR, 53000)
    (region,) = salary_tables([figure], [JUNIOR, MIDDLE])
    assert region.region is EUROPE
    (table,) = region.countries
    assert isinstance(table, CountryTable) and table.country is DE
    assert table.rows == [GradeRow(JUNIOR, [figure]), GradeRow(MIDDLE, [])]


def test_the_p25_to_p75_range_is_shown_only_when_both_are_known():
    full = Figure(DE, JUNIOR, 53000, p25=45000, p75=62000)
    low_only = Figure(DE, MIDDLE, 65000, p25=58000)
    high_only = Figure(DE, SENIOR, 85000, p75=99000)
    zloty = Figure(PL, JUNIOR, 7500, currency="PLN", p25=6000, p75=9200)
    salary_tables([full, low_only, high_only, zloty], GRADES)
    assert full.range_label == "€45,000–€62,000"
    assert zloty.range_label == "PLN\u00a06,000–PLN\u00a09,200"
    assert low_only.range_label == "" and high_only.range_label == ""
    assert (full.amount_label, zloty.amount_label) == ("€53,000", "PLN\u00a07,500")


def test_no_figures_no_tables():
    assert salary_tables([], GRADES) == []


def test_sources_are_listed_once_in_name_order_ignoring_case():
    glassdoor, eurostat, so = Source("glassdoor"), Source("Eurostat"), Source("Stack Overflow")
    figures = [
        Figure(DE, JUNIOR, 1, source=so),
        Figure(DE, MIDDLE, 2, source=glassdoor),
        Figure(PL, JUNIOR, 3, source=eurostat),
        Figure(PL, MIDDLE, 4, source=so),
    ]
    assert sources_used(figures) == [eurostat, glassdoor, so]
    assert sources_used([]) == []
