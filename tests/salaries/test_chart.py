"""The salary chart: one per country, currency and period; no bar without a figure."""

import re

import pytest

from salaries.chart import charts_for
from salaries.tables import CountryTable, GradeRow, salary_tables
from tests import factories
from tests.salaries.test_tables import DE, Figure, Grade, Source


def charts(page):
    return re.findall(r'<figure class="salary-chart">(.*?)</figure>', page, re.S)


@pytest.mark.django_db
def test_one_chart_per_country_currency_and_period(client, full_guide):
    de = factories.country(code="DE")
    lead = factories.grade("Lead", 3)
    factories.figure(
        full_guide,
        country=de,
        grade=lead,
        currency="USD",
        amount=118335,
        segment="Engineering managers",
        is_proxy_role=True,
    )
    factories.figure(
        full_guide,
        country=factories.country(code="PL"),
        currency="PLN",
        period="month",
        amount=7500,
    )
    page = client.get(full_guide.get_absolute_url()).content.decode()
    found = charts(page)
    assert len(found) == 3  # DE EUR/year, DE USD/year, PL PLN/month
    eur, usd, pln = found
    assert "€53,000" in eur and "$" not in eur.split("<figcaption>")[0]
    assert "$118,335" in usd and "€" not in usd.split("<figcaption>")[0]
    assert "chart-bar--proxy" in usd and "proxy role" in usd
    assert "PLN per month" in pln


@pytest.mark.django_db
def test_missing_grades_have_a_label_and_no_bar(client, full_guide):
    page = client.get(full_guide.get_absolute_url()).content.decode()
    (chart,) = charts(page)
    assert chart.count("<rect") == 1  # Junior only
    assert chart.count("No reliable figure yet") == 3  # Middle, Senior, Lead
    assert "no bar is drawn where there is no reliable figure" in chart


@pytest.mark.django_db
def test_bars_scale_to_the_largest_figure_and_use_no_style_attributes(client, full_guide):
    factories.figure(
        full_guide,
        country=factories.country(code="DE"),
        grade=factories.grade("Senior", 2),
        amount=106000,
    )
    page = client.get(full_guide.get_absolute_url()).content.decode()
    (chart,) = charts(page)
    widths = [int(w) for w in re.findall(r'<rect[^>]* width="(\d+)"', chart)]
    assert widths[1] == max(widths)
    assert widths[0] == round(widths[1] * 53000 / 106000)
    assert "style=" not in page.split("<body>")[1]
    assert '<svg viewBox="0 0 360' in chart and 'role="img"' in chart
    # The same figures stay in a real table.
    assert '<table class="salary-table">' in page


# The charts drawn from already-fetched rows (no database, no page): plain
# stand-ins for the models, as in test_tables.


JUNIOR, MIDDLE, SENIOR, LEAD = (
    Grade(i + 1, name, i) for i, name in enumerate(["Junior", "Middle", "Senior", "Lead"])
)
ALL_LEVELS = Grade(9, "All levels", 9, is_all_levels=True)
SO = Source("Stack Overflow Developer Survey", "Stack Overflow")
ARBEITNOW, STEPSTONE = Source("arbeitnow"), Source("Stepstone")
LONG_SEGMENT = "Backend developers, large companies in Berlin and Munich"


def table(*figures, grades=(JUNIOR, MIDDLE, SENIOR, LEAD, ALL_LEVELS)):
    (region,) = salary_tables(list(figures), list(grades))
    (country_table,) = region.countries
    return country_table


def germany():
    return table(
        Figure(DE, JUNIOR, 53000, source=SO),
        Figure(DE, JUNIOR, 4400, period="month", source=STEPSTONE),
        Figure(DE, SENIOR, 106000, source=ARBEITNOW, segment=LONG_SEGMENT),
        Figure(DE, LEAD, 118335, "USD", segment="Engineering managers", is_proxy_role=True),
    )


def test_one_chart_per_currency_and_period_the_main_one_first():
    charts = germany().charts
    assert [(c.currency, c.period, c.index) for c in charts] == [
        ("EUR", "year", 1),
        ("EUR", "month", 2),
        ("USD", "year", 3),
    ]
    assert [c.period_label for c in charts] == ["per year", "per month", "per year"]
    # Only the main chart (most figures) lists the grades with no figure.
    assert [[b.label for b in c.bars] for c in charts] == [
        ["Junior", "Middle", "Senior"],
        ["Junior"],
        ["Lead"],
    ]
    assert [[g.name for g in c.missing] for c in charts] == [["Middle"], [], []]
    assert [c.sources for c in charts] == [[ARBEITNOW, SO], [STEPSTONE], [SO]]


def test_the_main_chart_is_drawn_to_scale_with_a_labelled_gap():
    main = germany().charts[0]
    junior, middle, senior = main.bars
    # 264 px of bar for the largest figure; half the amount, half the bar.
    assert (junior.width, middle.width, senior.width) == (132, 0, 264)
    assert [b.y for b in main.bars] == [4, 48, 92]
    assert (junior.detail, middle.detail, senior.detail) == ("Stack Overflow", "", LONG_SEGMENT)
    assert middle.figure is None and junior.figure.amount == 53000
    assert main.height == 140
    assert main.title() == (
        "Germany: salary figures in EUR per year, by grade; "
        "Junior (Stack Overflow): €53,000; "
        "Middle: no reliable figure yet; "
        f"Senior ({LONG_SEGMENT}): €106,000"
    )
    assert str(main.svg) == (
        '<svg viewBox="0 0 360 140" width="360" height="140" role="img" '
        'aria-labelledby="chart-DE-1-t" focusable="false">'
        f'<title id="chart-DE-1-t">{main.title()}</title>'
        '<text x="0" y="17" class="chart-label">Junior'
        '<tspan class="chart-detail"> · Stack Overflow</tspan></text>'
        '<rect x="0" y="23" width="132" height="18" rx="3" class="chart-bar"/>'
        '<text x="138" y="37" class="chart-value">€53,000</text>'
        '<text x="0" y="61" class="chart-label">Middle</text>'
        '<text x="0" y="81" class="chart-missing">No reliable figure yet</text>'
        '<text x="0" y="105" class="chart-label">Senior'
        '<tspan class="chart-detail"> · Backend developers, large companies…</tspan></text>'
        '<rect x="0" y="111" width="264" height="18" rx="3" class="chart-bar"/>'
        '<text x="270" y="125" class="chart-value">€106,000</text>'
        "</svg>"
    )


def test_a_monthly_chart_says_per_month_and_a_proxy_role_is_marked():
    _, monthly, usd = germany().charts
    assert monthly.title() == (
        "Germany: salary figures in EUR per month, by grade; Junior (Stepstone): €4,400"
    )
    assert 'aria-labelledby="chart-DE-2-t"' in monthly.svg
    assert usd.title() == (
        "Germany: salary figures in USD per year, by grade; "
        "Lead (Engineering managers (proxy role)): $118,335"
    )
    (lead,) = usd.bars
    assert lead.width == 264 and usd.height == 52
    assert (
        '<rect x="0" y="23" width="264" height="18" rx="3" class="chart-bar chart-bar--proxy"/>'
        '<text x="270" y="37" class="chart-value">$118,335</text>'
    ) in usd.svg
    assert "chart-missing" not in usd.svg


def test_a_yearly_chart_alone_is_per_year_and_has_no_gap_rows_when_all_grades_have_figures():
    (chart,) = table(
        Figure(DE, JUNIOR, 40000),
        Figure(DE, MIDDLE, 60000),
        grades=(JUNIOR, MIDDLE),
    ).charts
    assert chart.period_label == "per year" and "EUR per year" in chart.title()
    assert chart.missing == [] and "No reliable figure yet" not in chart.svg
    assert [b.width for b in chart.bars] == [176, 264]  # 264 × 40/60


def test_a_tiny_figure_still_gets_a_visible_bar():
    chart = table(Figure(DE, JUNIOR, 500), Figure(DE, SENIOR, 106000)).charts[0]
    assert [b.width for b in chart.bars if b.figure] == [2, 264]  # 264 × 500/106000 ≈ 1


def test_on_a_tie_the_first_currency_is_the_main_chart():
    charts = table(
        Figure(DE, JUNIOR, 7500, currency="PLN", period="month"),
        Figure(DE, SENIOR, 90000, currency="USD"),
    ).charts
    assert [c.currency for c in charts] == ["PLN", "USD"]
    assert [[b.label for b in c.bars] for c in charts] == [["Junior", "Middle", "Lead"], ["Senior"]]
    assert "PLN per month" in charts[0].title()


def test_non_main_chart_keeps_the_grade_order_of_the_table():
    charts = table(
        Figure(DE, JUNIOR, 1, currency="PLN"),
        Figure(DE, MIDDLE, 2, currency="PLN"),
        Figure(DE, SENIOR, 110000, currency="USD"),
        Figure(DE, LEAD, 100000, currency="USD"),
    ).charts
    assert [[b.label for b in c.bars] for c in charts] == [["Junior", "Middle"], ["Senior", "Lead"]]
    assert [b.width for b in charts[1].bars] == [264, 240]


def test_texts_in_the_svg_are_escaped():
    (chart,) = table(
        Figure(DE, JUNIOR, 50000, segment="<b>R&D</b>"), grades=(Grade(1, "Junior & up", 0),)
    ).charts
    svg = str(chart.svg)
    assert "Junior &amp; up" in svg and "&lt;b&gt;R&amp;D&lt;/b&gt;" in svg
    assert "<b>" not in svg


def test_a_country_with_no_figures_has_no_chart():
    assert charts_for(CountryTable(DE, [GradeRow(JUNIOR, []), GradeRow(MIDDLE, [])])) == []
