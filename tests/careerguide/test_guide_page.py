"""The guide page renders every section from the database, and nothing hidden."""

import pytest
from django.urls import reverse

from roadmaps.models import FAQ, Comparison, KeyFact, MarketInsight, Myth, Skill, Stage
from salaries.models import SalaryFigure
from stories.models import Story
from tests import factories

pytestmark = pytest.mark.django_db


def get_page(client, guide):
    response = client.get(reverse("guide", kwargs={"slug": guide.slug}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("model", "field", "old", "new"),
    [
        (Stage, "title", "Stage One Title", "Databases and APIs, renamed"),
        (Stage, "steps", "Second step", "A brand-new step"),
        (Skill, "name", "Python", "Rust"),
        (KeyFact, "text", "B1 level", "C1 level"),
        (Comparison, "points", "Point two", "A new comparison point"),
        (Myth, "reality", "The reality text", "An edited reality"),
        (FAQ, "answer", "An answer.", "An edited answer."),
        (MarketInsight, "text", "A market insight.", "An edited insight."),
        (Story, "body", "Story body", "An edited story body."),
    ],
)
def test_each_section_renders_from_its_rows(client, full_guide, model, field, old, new):
    assert old in get_page(client, full_guide)
    row = model.objects.get(**{f"{field}__contains": old})
    setattr(row, field, new)
    row.save()
    page = get_page(client, full_guide)
    assert new in page
    assert old not in page


def test_hero_and_salary_figure_render_from_the_database(client, full_guide):
    page = get_page(client, full_guide)
    assert f"How to Become a {full_guide.name} in 2026" in page
    assert "€53,000" in page
    SalaryFigure.objects.filter(guide=full_guide).update(amount=61234)
    full_guide.headline = "A new headline."
    full_guide.save()
    page = get_page(client, full_guide)
    assert "€61,234" in page and "€53,000" not in page
    assert "A new headline." in page


def test_title_year_and_reviewed_date_come_from_reviewed_on(client, full_guide):
    import datetime

    full_guide.reviewed_on = datetime.date(2027, 2, 3)
    full_guide.save()
    page = get_page(client, full_guide)
    assert f"How to Become a {full_guide.name} in 2027" in page
    assert 'Reviewed <time datetime="2027-02-03">3 February 2027</time>' in page


def test_sections_appear_once_each_in_seed_order(client, full_guide):
    page = get_page(client, full_guide)
    ids = [
        "salaries",
        "path",
        "skills",
        "duration",
        "comparisons",
        "stories",
        "myths",
        "market",
        "faq",
        "start",
    ]
    positions = []
    for section_id in ids:
        marker = f'<section id="{section_id}"'
        assert page.count(marker) == 1, section_id
        positions.append(page.index(marker))
    assert positions == sorted(positions)
    assert page.count("<h1") == 1


def test_grade_without_figure_says_so(client, full_guide):
    page = get_page(client, full_guide)
    # Junior has a figure in the full guide; Middle, Senior and Lead do not.
    assert page.count('<td colspan="2" class="gap">No reliable figure yet</td>') == 3


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
    assert "Proxy role</span> Engineering managers" in page
    assert "$200,000" in page


def test_figures_keep_their_currency_and_period(client, full_guide):
    factories.figure(
        full_guide,
        country=factories.country(code="PL"),
        amount=7500,
        currency="PLN",
        period="month",
    )
    page = get_page(client, full_guide)
    assert "PLN\u00a07,500</span> a month" in page


def test_sources_listed_are_only_those_used(client, full_guide):
    unused = factories.source(name="Robert Half Salary Guide")
    page = get_page(client, full_guide)
    assert unused.name not in page
    used = SalaryFigure.objects.get(guide=full_guide).source
    assert used.name in page


def test_unpublished_guide_is_404(client, full_guide):
    full_guide.is_published = False
    full_guide.save()
    response = client.get(reverse("guide", kwargs={"slug": full_guide.slug}))
    assert response.status_code == 404
    assert full_guide.name not in client.get(reverse("home")).content.decode()


def test_unpublished_story_and_figure_are_hidden(client, full_guide):
    Story.objects.filter(guide=full_guide).update(is_published=False)
    SalaryFigure.objects.filter(guide=full_guide).update(is_published=False)
    page = get_page(client, full_guide)
    assert "Olga" not in page
    assert "€53,000" not in page
    assert 'id="stories"' not in page


def test_unknown_slug_is_404(client, db):
    assert client.get("/careers/no-such-guide/").status_code == 404
    assert client.get("/careers/bad%20slug!/").status_code == 404


def test_post_to_guide_is_405(client, full_guide):
    response = client.post(reverse("guide", kwargs={"slug": full_guide.slug}))
    assert response.status_code == 405


def test_head_works(client, full_guide):
    response = client.head(reverse("guide", kwargs={"slug": full_guide.slug}))
    assert response.status_code == 200


def test_home_lists_published_guides_with_the_featured_one_first(client, db):
    featured = factories.guide(name="Backend Developer", is_featured=True, position=5)
    other = factories.guide(name="Data Engineer", position=1)
    draft = factories.guide(name="Secret Draft", is_published=False)
    page = client.get(reverse("home")).content.decode()
    assert featured.get_absolute_url() in page and other.get_absolute_url() in page
    assert page.index(featured.get_absolute_url()) < page.index(other.get_absolute_url())
    assert draft.name not in page


def test_comparison_links_only_to_a_published_guide(client, full_guide):
    frontend = factories.guide(
        name="Frontend Developer", slug="frontend-developer", is_published=False
    )
    Comparison.objects.filter(guide=full_guide).update(related_guide=frontend)
    assert 'href="/careers/frontend-developer/"' not in get_page(client, full_guide)
    frontend.is_published = True
    frontend.save()
    assert 'href="/careers/frontend-developer/"' in get_page(client, full_guide)


def test_public_pages_set_no_cookie_and_do_not_vary_on_it(client, full_guide):
    for url in [reverse("home"), full_guide.get_absolute_url(), "/careers/missing/"]:
        response = client.get(url)
        assert not response.cookies, url
        assert "Cookie" not in response.get("Vary", ""), url


def query_count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_query_count_is_fixed_whatever_the_content(client, full_guide):
    url = full_guide.get_absolute_url()
    for _ in range(2):
        factories.story(full_guide)
    three = query_count(client, url)
    for _ in range(27):
        factories.story(full_guide)
    stage = Stage.objects.get(guide=full_guide)
    for i in range(10):
        s = Stage.objects.create(
            guide=full_guide, month_from=1, month_to=2, title=f"Extra {i}", description="d"
        )
        s.skills.set(Skill.objects.filter(guide=full_guide))
        factories.figure(full_guide, source=factories.source(), amount=40000 + i)
    thirty = query_count(client, url)
    assert Story.objects.filter(guide=full_guide).count() == 30
    assert stage.pk
    assert three == thirty
    assert thirty <= 12
