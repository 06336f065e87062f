"""The salary chart: one per country, currency and period; no bar without a figure."""

import re

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def charts(page):
    return re.findall(r'<figure class="salary-chart">(.*?)</figure>', page, re.S)


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


def test_missing_grades_have_a_label_and_no_bar(client, full_guide):
    page = client.get(full_guide.get_absolute_url()).content.decode()
    (chart,) = charts(page)
    assert chart.count("<rect") == 1  # Junior only
    assert chart.count("No reliable figure yet") == 3  # Middle, Senior, Lead
    assert "no bar is drawn where there is no reliable figure" in chart


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
