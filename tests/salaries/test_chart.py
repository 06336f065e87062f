"""The salary bars: like with like only (one scale per currency, period, statistic
and pay basis, shared by every country), the middle half around the median where
published, classes only (CSP), and hidden from screen readers beside their words."""

import pytest

from salaries.chart import Bar, Scale, bar_for, scales
from salaries.tables import comparable_key
from tests import factories
from tests.factories import elements
from tests.salaries.test_tables import DE, ES, JUNIOR, SENIOR, Figure


def test_one_scale_per_comparable_set_across_countries_ending_at_its_largest_value():
    figures = [
        Figure(DE, JUNIOR, 53000),
        Figure(ES, SENIOR, 90000),
        Figure(DE, JUNIOR, 50000, p25=40000, p75=95000),
        Figure(DE, SENIOR, 118335, "USD", pay_basis="total"),
        Figure(DE, SENIOR, 4400, period="month"),
    ]
    found = scales(figures, comparable_key)
    assert found == {
        ("EUR", "year", "median", "base"): Scale(95000, "EUR"),  # a 75th percentile
        ("USD", "year", "median", "total"): Scale(118335, "USD"),
        ("EUR", "month", "median", "base"): Scale(4400, "EUR"),
    }
    assert found["EUR", "year", "median", "base"].label == "0 to €95,000"


def test_the_bar_runs_to_the_median_with_the_middle_half_as_a_box():
    scale = Scale(169000, "USD")
    bar = bar_for(Figure(DE, JUNIOR, 133080, "USD", p25=103050, p75=169000), scale)
    assert bar == Bar(78.7, 61.0, 100.0)
    assert str(bar.svg) == (
        '<svg class="bar" viewBox="0 0 100 12" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false">'
        '<rect class="bar-track" x="0" y="5.5" width="100" height="1"/>'
        '<rect class="bar-range" x="61.0" y="1" width="39.0" height="10"/>'
        '<rect class="bar-median" x="0" y="4" width="78.7" height="4"/>'
        '<rect class="bar-tick" x="78.1" y="0" width="1.2" height="12"/></svg>'
    )


def test_no_box_unless_both_percentiles_are_published_and_a_tiny_figure_still_shows():
    scale = Scale(100000, "EUR")
    assert bar_for(Figure(DE, JUNIOR, 50000, p25=40000), scale) == Bar(50.0)
    assert bar_for(Figure(DE, JUNIOR, 50000, p75=60000), scale) == Bar(50.0)
    svg = str(bar_for(Figure(DE, JUNIOR, 50000), scale).svg)
    assert "bar-range" not in svg and 'width="50.0"' in svg
    tiny = str(Bar(0.1).svg)
    assert '<rect class="bar-median" x="0" y="4" width="0.8" height="4"/>' in tiny


def figure_tables(response):
    return elements(response, "table", **{"class": "figure-table"})


@pytest.mark.django_db
def test_the_page_never_puts_two_currencies_or_bases_in_one_bar_table(client, full_guide):
    de, gb = factories.country(code="DE"), factories.country(code="GB")
    lead = factories.grade("Lead", 3)
    factories.figure(full_guide, country=de, grade=lead, amount=118335, currency="USD",
                     pay_basis="total", segment="EMs", is_proxy_role=True)  # fmt: skip
    factories.figure(full_guide, country=de, grade=factories.grade("Senior", 2), amount=74270)
    factories.figure(full_guide, country=gb, amount=35000, currency="GBP", pay_basis="advertised",
                     p25=30000, p75=43438)  # fmt: skip
    response = client.get(full_guide.get_absolute_url())
    captions = [elements(t, "caption")[0].children[0].strip() for t in figure_tables(response)]
    symbols = []
    for table in figure_tables(response):
        amounts = [str(a.children[0]) for a in elements(table, "span", **{"class": "amount"})]
        symbols.append({a[0] for a in amounts})
        assert len(elements(table, "svg", **{"class": "bar"})) == len(amounts)
    assert symbols == [{"€"}, {"$"}, {"£"}]
    assert captions == [
        "Country DE: EUR a year, median base salary",
        "Country DE: USD a year, median total compensation",
        "Country GB: GBP a year, median advertised salary",
    ]
    page = response.content.decode()
    assert "style=" not in page.split("<body>")[1]
    assert 'aria-hidden="true"' in page and "salary-chart" not in page
