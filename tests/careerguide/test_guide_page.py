"""The guide page renders every section from the database, and nothing hidden, in
exactly `guide_page_queries()` queries (2 + 10 block types + 4 prefetched links = 16
today)
however much content there is; the home page in one."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from careerguide.pages import guide_page_queries
from careerguide.templatetags.site_tags import datetime_attr
from roadmaps.models import FAQ, Comparison, KeyFact, MarketInsight, Myth, Skill, Stage
from salaries.models import SalaryFigure
from stories.models import Story
from tests import factories
from tests.factories import elements

pytestmark = pytest.mark.django_db

# One query per block type on the page and per link it prefetches: a new block
# raises it by exactly one, plus one per link it shows.
GUIDE_PAGE_QUERIES = guide_page_queries()


def get_page(client, guide):
    response = client.get(reverse("guide", kwargs={"slug": guide.slug}))
    assert response.status_code == 200
    return response


def hero_meta(guide, reviewed):
    """The hero's review line: `reviewed` is the <time> of the review, with its byline."""
    guide.refresh_from_db()
    changed = guide.content_changed_at
    return (
        f'<p class="meta">Reviewed {reviewed} · Last updated '
        f'<time datetime="{datetime_attr(changed)}">{changed.day} {changed:%B %Y}</time></p>'
    )


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
    assertContains(get_page(client, full_guide), old)
    row = model.objects.get(**{f"{field}__contains": old})
    setattr(row, field, new)
    row.save()
    page = get_page(client, full_guide)
    assertContains(page, new)
    assertNotContains(page, old)


def test_hero_and_salary_figure_render_from_the_database(client, full_guide):
    page = get_page(client, full_guide)
    assertContains(page, f"<h1>How to Become a {full_guide.name} in 2026</h1>", html=True)
    assertContains(page, '<span class="amount">€53,000</span>', html=True)
    SalaryFigure.objects.filter(guide=full_guide).update(amount=61234)
    full_guide.headline = "A new headline."
    full_guide.save()
    page = get_page(client, full_guide)
    assertContains(page, '<span class="amount">€61,234</span>', html=True)
    assertNotContains(page, "€53,000")
    assertContains(page, '<p class="lede">A new headline. Intro of the guide.</p>', html=True)


def test_title_year_and_reviewed_date_come_from_reviewed_on(client, full_guide):
    full_guide.reviewed_on = datetime.date(2027, 2, 3)
    full_guide.save()
    page = get_page(client, full_guide)
    assertContains(page, f"<h1>How to Become a {full_guide.name} in 2027</h1>", html=True)
    reviewed = '<time datetime="2027-02-03">3 February 2027</time>'
    assertContains(page, hero_meta(full_guide, reviewed), html=True)


def test_sections_appear_once_each_in_seed_order(client, full_guide):
    page = get_page(client, full_guide)
    ids = [dict(s.attributes).get("id") for s in elements(page, "section")]
    assert ids == [
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
    assert [s.id for s in page.context["page"].sections] == ids
    assert len(elements(page, "h1")) == 1


def test_unpublished_guide_is_404(client, full_guide):
    full_guide.is_published = False
    full_guide.save()
    response = client.get(reverse("guide", kwargs={"slug": full_guide.slug}))
    assert response.status_code == 404
    assertNotContains(client.get(reverse("home")), full_guide.name)


def test_unpublished_story_and_figure_are_hidden(client, full_guide):
    Story.objects.filter(guide=full_guide).update(is_published=False)
    SalaryFigure.objects.filter(guide=full_guide).update(is_published=False)
    page = get_page(client, full_guide)
    assertNotContains(page, "Olga")
    assertNotContains(page, "€53,000")
    assert elements(page, "section", id="stories") == []
    assert elements(page, "a", href="#stories") == []  # nor in the table of contents
    assert "stories" not in [s.id for s in page.context["page"].sections]


def test_unknown_slug_is_404(client, db):
    assert client.get("/careers/no-such-guide/").status_code == 404
    assert client.get("/careers/bad%20slug!/").status_code == 404


def test_post_to_guide_is_405(client, full_guide):
    response = client.post(reverse("guide", kwargs={"slug": full_guide.slug}))
    assert response.status_code == 405


def test_head_works(client, full_guide):
    response = client.head(reverse("guide", kwargs={"slug": full_guide.slug}))
    assert response.status_code == 200


def test_home_lists_published_guides_with_the_featured_one_first_in_one_query(
    client, db, django_assert_num_queries
):
    featured = factories.guide(name="Backend Developer", is_featured=True, position=5)
    other = factories.guide(name="Data Engineer", position=1)
    draft = factories.guide(name="Secret Draft", is_published=False)
    cache.clear()
    with django_assert_num_queries(1):
        response = client.get(reverse("home"))
    assert response.context["featured"] == featured
    assert response.context["guides"] == [other]
    assertContains(response, f'<a href="{featured.get_absolute_url()}">{featured.title}</a>',
                   html=True)  # fmt: skip
    assertContains(response, f'<a href="{other.get_absolute_url()}">{other.title}</a>',
                   html=True)  # fmt: skip
    links = [dict(a.attributes).get("href") for a in elements(response, "a")]
    assert links.index(featured.get_absolute_url()) < links.index(other.get_absolute_url())
    assertNotContains(response, draft.name)


def test_comparison_links_only_to_a_published_guide(client, full_guide):
    frontend = factories.guide(
        name="Frontend Developer", slug="frontend-developer", is_published=False
    )
    Comparison.objects.filter(guide=full_guide).update(related_guide=frontend)
    assert elements(get_page(client, full_guide), "a", href="/careers/frontend-developer/") == []
    frontend.is_published = True
    frontend.save()
    assert len(elements(get_page(client, full_guide), "a", href="/careers/frontend-developer/"))


def test_public_pages_set_no_cookie_and_do_not_vary_on_it(client, full_guide):
    for url in [reverse("home"), full_guide.get_absolute_url(), "/careers/missing/"]:
        response = client.get(url)
        assert not response.cookies, url
        assert "Cookie" not in response.get("Vary", ""), url


# The query budget


def counted_page(client, guide, django_assert_num_queries):
    """The guide page uncached, in exactly GUIDE_PAGE_QUERIES queries."""
    cache.clear()
    with django_assert_num_queries(GUIDE_PAGE_QUERIES):
        response = client.get(guide.get_absolute_url())
    assert response.status_code == 200
    return response.context["page"]


def add_stages(guide, n):
    skills = Skill.objects.filter(guide=guide)
    for i in range(n):
        stage = Stage.objects.create(
            guide=guide, month_from=1, month_to=2, title=f"Extra {i}", description="d"
        )
        stage.skills.set(skills)


def test_guide_page_takes_the_same_queries_with_3_or_30_stories(
    client, full_guide, django_assert_num_queries
):
    """16 queries (`guide_page_queries`) with 3 stories, and with 30 stories,
    11 stages and 11 figures."""
    for _ in range(2):
        factories.story(full_guide)
    page = counted_page(client, full_guide, django_assert_num_queries)
    assert len(page.stories) == 3
    for _ in range(27):
        factories.story(full_guide)
    add_stages(full_guide, 10)
    for i in range(10):
        factories.figure(full_guide, source=factories.source(), amount=40000 + i)
    page = counted_page(client, full_guide, django_assert_num_queries)
    # Everything was read, not just counted: 30 stories, 11 stages with their skills.
    assert len(page.stories) == 30
    assert len(page.stages) == 11
    assert all(len(stage.skills.all()) == 2 for stage in page.stages[1:])
    assert page.salary_count == 11


def test_guide_page_takes_the_same_queries_with_every_block_grown(
    client, full_guide, django_assert_num_queries
):
    """Still 16 queries with 20 more rows of every block on the page (a fact of every
    kind: one each), in new regions and countries, each fact, answer and note
    citing two sources."""
    counted_page(client, full_guide, django_assert_num_queries)
    add_stages(full_guide, 20)
    KeyFact.objects.create(guide=full_guide, kind="job_search", label="Job", min_months=1,
                           max_months=6)  # fmt: skip
    KeyFact.objects.create(guide=full_guide, kind="education", label="Education", text="Any")
    KeyFact.objects.create(guide=full_guide, kind="demand", label="Demand", text="Growing")
    for i in range(20):
        Skill.objects.create(guide=full_guide, name=f"Skill {i}", kind="soft")
        Comparison.objects.create(guide=full_guide, related_name=f"Field {i}", points="p")
        Myth.objects.create(guide=full_guide, myth=f"Myth {i}", reality="r")
        FAQ.objects.create(guide=full_guide, question=f"Question {i}?", answer="a")
        MarketInsight.objects.create(guide=full_guide, region=factories.region(), text="m")
        factories.figure(full_guide, country=factories.country(), amount=30000 + i)
        factories.story(full_guide)
    refs = [factories.reference() for _ in range(2)]
    for model in (KeyFact, FAQ, MarketInsight):
        for row in model.objects.filter(guide=full_guide):
            row.sources.add(*refs)
    page = counted_page(client, full_guide, django_assert_num_queries)
    assert (len(page.stages), len(page.faqs), len(page.stories)) == (21, 21, 21)
    assert all(len(row.sources.all()) >= 2 for row in page.faqs + page.facts)
    assert (len(page.facts), len(page.soft_skills), len(page.myths)) == (5, 21, 21)
    assert len(page.market) == 21 and page.salary_count == 21
