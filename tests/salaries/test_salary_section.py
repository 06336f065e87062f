"""The guide page's salary section (salaries/_salaries.html): one summary table,
every figure once in the detail folded per country, the sources in the summary's
note, and the hero's salary line (an editor's pick, or "see salaries")."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from salaries.models import SalaryFigure
from tests import factories
from tests.factories import elements

pytestmark = pytest.mark.django_db


def get_page(client, guide):
    response = client.get(guide.get_absolute_url())
    assert response.status_code == 200
    return response


def cls(name):
    return {"class": name}


def summary_cells(response):
    """{(country, column): text of the cell} of the summary table."""
    [table] = elements(response, "table", **cls("salary-summary"))
    [head] = elements(table, "thead")
    columns = [str(th.children[0]) for th in elements(head, "th")][1:]
    cells = {}
    for row in elements(table, "tr")[1:]:
        [country] = elements(row, "th")
        for column, td in zip(columns, elements(row, "td"), strict=True):
            cells[str(country.children[0]), column] = td
    return columns, cells


def test_the_summary_has_a_row_per_country_and_a_column_per_grade(client, full_guide):
    us = factories.country(code="US")
    factories.figure(full_guide, country=us, grade=factories.grade("All levels"), amount=133080,
                     currency="USD")  # fmt: skip
    columns, cells = summary_cells(get_page(client, full_guide))
    assert columns == ["Junior", "Middle", "Senior", "Lead", "All levels"]
    assert {country for country, _ in cells} == {"Country DE", "Country US"}
    # An empty cell says so and stays in its place.
    gap = snippet('<td><span class="gap">no reliable figure yet</span></td>', "td")
    for grade in ["Middle", "Senior", "Lead", "All levels"]:
        assert cells["Country DE", grade] == gap
    assert cells["Country US", "Junior"] == gap


def snippet(html, tag):
    """The `tag` element of an HTML snippet, parsed as the page is, to compare with."""
    from django.test.html import parse_html

    wrapped = html if html.startswith("<tr") else f"<tr>{html}</tr>"
    return elements(parse_html(f"<table>{wrapped}</table>"), tag)[0]


def test_one_figure_shows_with_its_source_and_comparable_ones_as_a_range(client, full_guide):
    de = factories.country(code="DE")
    junior = factories.grade("Junior")
    factories.figure(full_guide, country=de, grade=junior, amount=57387,
                     source=factories.source(short_name="Glassdoor 2023"))  # fmt: skip
    senior = factories.grade("Senior", 2)
    factories.figure(full_guide, country=de, grade=senior, amount=74270,
                     source=factories.source(short_name="Glassdoor 2025"))  # fmt: skip
    response = get_page(client, full_guide)
    assertContains(
        response,
        '<p class="cell-fig"><span class="amount">€53,000–€57,387</span> '
        '<span class="per">a year</span> <span class="count">2 sources</span></p>',
        html=True,
    )
    assertContains(
        response,
        '<p class="cell-fig"><span class="amount">€74,270</span> '
        '<span class="per">a year</span> <span class="count">Glassdoor 2025</span></p>',
        html=True,
    )


def test_figures_that_do_not_compare_stay_apart_and_are_marked(client, full_guide):
    us = factories.country(code="US")
    all_levels = factories.grade("All levels", 4, all_levels=True)
    factories.figure(full_guide, country=us, grade=all_levels, amount=133080, currency="USD",
                     source=factories.source(short_name="BLS OEWS 2024"))  # fmt: skip
    factories.figure(full_guide, country=us, grade=all_levels, amount=175000, currency="USD",
                     pay_basis="total", source=factories.source(short_name="SO 2025"))  # fmt: skip
    response = get_page(client, full_guide)
    _, cells = summary_cells(response)
    groups = elements(cells["Country US", "All levels"], "p", **cls("cell-fig"))
    assert len(groups) == 2
    mark = (
        '<a class="mark" href="#salary-mark-total">total<span class="visually-hidden">'
        " (total compensation, see the note)</span></a>"
    )
    assertContains(
        response,
        f'<p class="cell-fig"><span class="amount">$175,000</span> <span class="per">a year'
        f'</span> {mark} <span class="count">SO 2025</span></p>',
        html=True,
    )
    # The mark's explanation is in the note, where its link points.
    assertContains(
        response,
        '<div><dt id="salary-mark-total">total</dt>'
        "<dd>total compensation: salary plus bonuses and perks.</dd></div>",
        html=True,
    )
    assertNotContains(response, 'id="salary-mark-proxy"')  # only the marks in use


def test_a_proxy_role_is_marked_in_the_summary_and_labelled_in_the_detail(client, full_guide):
    factories.figure(full_guide, grade=factories.grade("Lead", 3), segment="Engineering managers",
                     is_proxy_role=True, amount=200000, currency="USD")  # fmt: skip
    response = get_page(client, full_guide)
    assertContains(response, '<a class="mark" href="#salary-mark-proxy">', count=1)
    assertContains(
        response,
        '<th scope="row">Lead<span class="segment"><span class="tag">Proxy role</span>'
        " Engineering managers</span></th>",
        html=True,
    )


def test_the_note_names_every_source_with_its_year(client, full_guide):
    unused = factories.source(name="Robert Half Salary Guide")
    used = SalaryFigure.objects.get(guide=full_guide).source
    response = get_page(client, full_guide)
    [note] = elements(response, "div", **cls("summary-note"))
    links = elements(note, "a")
    assert [(dict(a.attributes)["href"], str(a.children[0])) for a in links] == [
        (used.url, f"{used.label} (data 2025)")
    ]
    assertNotContains(response, unused.name)


def test_every_figure_is_in_the_detail_once_folded_per_country(client, full_guide):
    poland = factories.country(code="PL")
    factories.figure(full_guide, country=poland, amount=7500, currency="PLN", period="month",
                     pay_basis="b2b", note="Net of VAT.")  # fmt: skip
    response = get_page(client, full_guide)
    folds = elements(response, "details", **cls("country-detail"))
    assert len(folds) == 2 and all("open" not in dict(d.attributes) for d in folds)
    rows = [
        r
        for d in folds
        for t in elements(d, "table")
        for r in elements(t, "tr")
        if elements(r, "th", scope="row")
    ]
    assert len(rows) == SalaryFigure.objects.filter(guide=full_guide).count() == 2
    # Each figure once in the detail, with a bar, its source, data year and note.
    assert len(elements(response, "svg", **cls("bar"))) == 2
    source = SalaryFigure.objects.get(currency="PLN").source
    assertContains(
        response,
        f'<td><a href="{source.url}" rel="nofollow noopener">{source.label}</a>, data year 2025'
        "</td>",
        html=True,
    )
    # The note on a full-width row of its own, under its figure's row.
    [note_row] = elements(response, "tr", **cls("note-row"))
    assert note_row == snippet(
        '<tr class="note-row"><td colspan="3"><details class="note"><summary>About this figure'
        "</summary><p>Net of VAT.</p></details></td></tr>",
        "tr",
    )
    assertContains(response, "<caption>Country PL: PLN a month, median B2B contract rate")
    # No other chart draws the figures again.
    assert elements(response, "figure") == []


def test_the_section_links_to_the_salary_page(client, full_guide):
    url = reverse("guide_salaries", kwargs={"slug": full_guide.slug})
    assertContains(
        get_page(client, full_guide),
        f'<p class="salary-more"><a href="{url}">All figures, sources and the download</a></p>',
        html=True,
    )


def test_a_guide_without_figures_says_so(client, full_guide):
    SalaryFigure.objects.filter(guide=full_guide).update(is_published=False)
    response = get_page(client, full_guide)
    assertContains(
        response,
        '<p class="gap">No reliable salary figures yet for this profession.</p>',
        html=True,
    )
    assert elements(response, "table", **cls("salary-summary")) == []


# The hero's salary line


def hero(response):
    [line] = elements(response, "p", **cls("hero-salary"))
    return line


def test_the_hero_shows_the_chosen_figure_with_its_source_and_year(client, full_guide):
    figure = SalaryFigure.objects.get(guide=full_guide)
    figure.p25, figure.p75, figure.in_hero = 45000, 60000, True
    figure.save()
    line = hero(get_page(client, full_guide))
    expected = snippet(
        '<td><p class="hero-salary"><span class="hero-salary-label">Median salary</span> '
        '<strong class="amount">€53,000</strong> a year (middle half: €45,000–€60,000) · '
        f'Country DE, junior, base salary · <a href="{figure.source.url}" rel="nofollow noopener">'
        f"{figure.source.label}</a>, data year 2025 · "
        '<a href="#salaries">All salaries</a></p></td>',
        "p",
    )
    assert line == expected


def test_without_a_chosen_figure_the_hero_points_to_the_salaries(client, full_guide):
    line = hero(get_page(client, full_guide))
    assert elements(line, "a", href="#salaries")
    assert "See salaries" in str(line) and "€" not in str(line)
    # An unpublished pick is not shown either.
    SalaryFigure.objects.filter(guide=full_guide).update(in_hero=True, is_published=False)
    assert "€" not in str(hero(get_page(client, full_guide)))


def test_one_hero_figure_per_guide_in_plain_words(full_guide):
    SalaryFigure.objects.filter(guide=full_guide).update(in_hero=True)
    second = factories.figure(full_guide, segment="Startups")
    second.in_hero = True
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert error.value.messages == [
        "Another figure of this guide is already shown in the hero. Untick 'Shown in the "
        "hero' on that figure first."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    # Another guide has a hero figure of its own.
    other = factories.guide()
    factories.figure(other, in_hero=True).full_clean()
