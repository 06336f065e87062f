"""A guide's salary page (/careers/<slug>/salaries/): indexable with its own title,
description and canonical, in the sitemap, the summary and every figure unfolded,
the sources with their terms, in exactly `SALARY_PAGE_QUERIES` queries, cached
and revalidated like the guide page."""

from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from careerguide.pages import SALARY_PAGE_QUERIES
from salaries.models import SalaryFigure
from tests import factories
from tests.factories import elements

pytestmark = pytest.mark.django_db
SITE = "https://careers.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def url_of(guide):
    return reverse("guide_salaries", kwargs={"slug": guide.slug})


def get(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    return response, len(ctx)


def test_the_page_has_its_own_title_description_canonical_and_is_indexable(client, full_guide):
    url = url_of(full_guide)
    assert url == f"/careers/{full_guide.slug}/salaries/"
    response, _ = get(client, url + "?utm_source=x")
    assert response.status_code == 200
    [head] = elements(response, "head")
    [title] = elements(head, "title")
    assert str(title.children[0]) == (
        f"{full_guide.name} salaries by country and grade, with sources | Career Guide"
    )
    [description] = elements(head, "meta", name="description")
    assert "CSV download" in dict(description.attributes)["content"]
    assertContains(response, f'<link rel="canonical" href="{SITE}{url}">', html=True)
    assert elements(head, "meta", name="robots") == []
    assert "X-Robots-Tag" not in response
    assert len(elements(response, "h1")) == 1
    guide_page = client.get(full_guide.get_absolute_url())
    [guide_title] = elements(elements(guide_page, "head")[0], "title")
    assert guide_title != title


def test_the_page_is_in_the_sitemap_dated_by_its_guide(client, full_guide):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ElementTree.fromstring(client.get(reverse("sitemap")).content)
    entries = {
        u.find("s:loc", ns).text: u.find("s:lastmod", ns).text for u in root.findall("s:url", ns)
    }
    full_guide.refresh_from_db()
    assert entries[f"{SITE}{url_of(full_guide)}"] == full_guide.content_changed_at.isoformat()
    # The download is linked from the page, not listed as a page of its own.
    assert not any(loc.endswith(".csv") for loc in entries)


def test_summary_every_figure_unfolded_sources_terms_and_the_download(client, full_guide):
    figure = SalaryFigure.objects.get(guide=full_guide)
    figure.source.terms = "Open Database License (ODbL) 1.0"
    figure.source.save()
    figure.note = "A note about the figure."
    figure.save()
    response, _ = get(client, url_of(full_guide))
    assert len(elements(response, "table", **{"class": "salary-summary"})) == 1
    # The detail is unfolded here: no country <details>, one row per figure.
    assert elements(response, "details", **{"class": "country-detail"}) == []
    assert len(elements(response, "svg", **{"class": "bar"})) == 1
    assertContains(response, "<h3 class=\"country-name\">Country DE <span class=\"count\">"
                   "1 figure</span></h3>", html=True)  # fmt: skip
    assertContains(response, "A note about the figure.", count=1)
    csv = reverse("guide_salaries_csv", kwargs={"slug": full_guide.slug})
    assertContains(
        response,
        f'<a class="button" href="{csv}" download>Download all 1 figures (CSV)</a>',
        html=True,
    )
    assertContains(
        response,
        '<dd><span class="label-inline">Reuse terms:</span> Open Database License (ODbL) 1.0</dd>',
        html=True,
    )
    assertContains(response, 'href="https://creativecommons.org/licenses/by/4.0/"')


def test_the_guide_links_here_and_here_links_back(client, full_guide):
    assertContains(client.get(full_guide.get_absolute_url()), f'href="{url_of(full_guide)}"')
    response, _ = get(client, url_of(full_guide))
    assertContains(
        response,
        f'<li><a href="{full_guide.get_absolute_url()}">{full_guide.name}</a></li>',
        html=True,
    )


def test_exactly_the_pinned_queries_however_many_figures_then_none_from_the_cache(
    client, full_guide
):
    _, first = get(client, url_of(full_guide))
    assert first == SALARY_PAGE_QUERIES == 3
    for i in range(12):
        factories.figure(full_guide, country=factories.country(), amount=40000 + i)
    cache.clear()
    response, many = get(client, url_of(full_guide))
    assert many == SALARY_PAGE_QUERIES
    assert len(elements(response, "svg", **{"class": "bar"})) == 13
    again, cached = get(client, url_of(full_guide))
    assert cached == 0 and again.content == response.content


def test_validators_and_304(client, full_guide):
    first, _ = get(client, url_of(full_guide))
    full_guide.refresh_from_db()
    assert first["ETag"].startswith('W/"')
    assert first["Cache-Control"] == "max-age=0, must-revalidate"
    for headers in (
        {"if-none-match": first["ETag"]},
        {"if-modified-since": first["Last-Modified"]},
    ):
        assert client.get(url_of(full_guide), headers=headers).status_code == 304
    # A figure edit moves the page on.
    SalaryFigure.objects.get(guide=full_guide).save()
    changed = client.get(url_of(full_guide), headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200


def test_unpublished_guide_is_404_and_an_old_slug_redirects(client, full_guide):
    old = url_of(full_guide)
    full_guide.slug = "renamed-guide"
    full_guide.save()
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == "/careers/renamed-guide/salaries/"
    full_guide.is_published = False
    full_guide.save()
    assert client.get(url_of(full_guide)).status_code == 404
    assert client.get("/careers/no-such-guide/salaries/").status_code == 404


def test_a_guide_without_figures_says_so(client, full_guide):
    SalaryFigure.objects.filter(guide=full_guide).update(is_published=False)
    response, _ = get(client, url_of(full_guide))
    assertContains(
        response,
        '<p class="gap">No reliable salary figures yet for this profession.</p>',
        html=True,
    )
    assertNotContains(response, "Download all")
