"""The guide page's salary section (salaries/_salaries.html): every grade, the
figures as published with their currency, period, data year and source, and only
the sources in use."""

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from salaries.models import SalaryFigure
from tests import factories

pytestmark = pytest.mark.django_db


def get_page(client, guide):
    response = client.get(guide.get_absolute_url())
    assert response.status_code == 200
    return response


def test_grade_without_figure_says_so(client, full_guide):
    page = get_page(client, full_guide)
    # Junior has a figure in the full guide; Middle, Senior and Lead do not.
    gap = '<td colspan="2" class="gap">No reliable figure yet</td>'
    assertContains(page, gap, count=3, html=True)
    for grade in ["Middle", "Senior", "Lead"]:
        assertContains(page, f'<tr><th scope="row">{grade}</th>{gap}</tr>', count=1, html=True)


def test_proxy_role_is_labelled(client, full_guide):
    factories.figure(
        full_guide,
        grade=factories.grade("Lead", 3),
        segment="Engineering managers",
        is_proxy_role=True,
        amount=200000,
        currency="USD",
    )
    page = get_page(client, full_guide)
    assertContains(
        page,
        '<span class="segment"><span class="tag">Proxy role</span> Engineering managers</span>',
        html=True,
    )
    assertContains(page, '<span class="amount">$200,000</span>', html=True)


def test_figures_keep_their_currency_and_period(client, full_guide):
    factories.figure(
        full_guide,
        country=factories.country(code="PL"),
        amount=7500,
        currency="PLN",
        period="month",
    )
    page = get_page(client, full_guide)
    assertContains(
        page,
        '<td><span class="amount">PLN\u00a07,500</span> a month'
        ' <span class="basis">median base salary</span></td>',
        html=True,
    )


def test_sources_listed_are_only_those_used(client, full_guide):
    unused = factories.source(name="Robert Half Salary Guide")
    page = get_page(client, full_guide)
    assertNotContains(page, unused.name)
    used = SalaryFigure.objects.get(guide=full_guide).source
    assertContains(
        page, f'<li><a href="{used.url}" rel="nofollow noopener">{used.name}</a></li>', html=True
    )


def test_public_page_shows_each_figures_data_year(client, full_guide):
    source = SalaryFigure.objects.get(guide=full_guide).source
    assertContains(
        get_page(client, full_guide),
        f'<td><a href="{source.url}" rel="nofollow noopener">{source.label}</a>,'
        " data year 2025</td>",
        html=True,
    )
