"""Crawlers and link previews: sitemap, robots, metadata, JSON-LD, conditional GET,
social cards, moved and missing pages. Query counts, uncached: the sitemap 11 (two
per model sitemap, one for the home page's date), a person's page 2, a site page 1,
the methodology page 3."""

import io
import json
import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils.http import http_date
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains

from careerguide.models import SitePage
from careerguide.templatetags.site_tags import datetime_attr
from roadmaps.models import Guide, Person, Stage
from salaries.models import SalaryFigure
from stories.models import Story
from tests import factories
from tests.commits import clear_pages
from tests.factories import elements

pytestmark = pytest.mark.django_db
SITE = "https://careers.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def site_pages(db):
    for slug in SitePage.FOOTER:
        SitePage.objects.create(
            slug=slug, title=f"{slug.title()} page", description=f"About {slug}.", body="Body."
        )


@pytest.fixture
def reviewed_guide(full_guide):
    full_guide.reviewed_by = Person.objects.create(name="Ada Reviewer", slug="ada")
    full_guide.save()
    return full_guide


def html(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response, response.content.decode()


def json_ld(page):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def by_type(graph):
    return {node["@type"]: node for node in graph["@graph"]}


def attribute(response, tag, key, /, **attrs):
    """The attribute `key` of the one `tag` element with `attrs`."""
    [element] = elements(response, tag, **attrs)
    return dict(element.attributes)[key]


# The hero's review line for the reviewed guide: its review date and byline.
REVIEWED_BY_ADA = (
    '<time datetime="2026-11-20">20 November 2026</time> by <a href="/people/ada/">Ada Reviewer</a>'
)


def hero_meta(guide, reviewed):
    """The guide's review line as the hero shows it; `reviewed` is what follows "Reviewed"."""
    guide.refresh_from_db()
    changed = guide.content_changed_at
    return (
        f'<p class="meta">Reviewed {reviewed} · Last updated '
        f'<time datetime="{datetime_attr(changed)}">{changed.day} {changed:%B %Y}</time></p>'
    )


# sitemap.xml and robots.txt


def test_sitemap_lists_published_pages_with_content_dates(
    client, reviewed_guide, site_pages, django_assert_num_queries
):
    draft = factories.guide(name="Draft Guide", is_published=False)
    # Five model sitemaps (guides, plans, salary pages, site pages, people) and the home page.
    with django_assert_num_queries(11):
        response = client.get(reverse("sitemap"))
    assert response.status_code == 200
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ElementTree.fromstring(response.content)
    entries = {
        u.find("s:loc", ns).text: u.find("s:lastmod", ns).text for u in root.findall("s:url", ns)
    }
    guide_url = f"{SITE}{reviewed_guide.get_absolute_url()}"
    assert f"{guide_url}plan/" in entries
    assert entries[f"{guide_url}salaries/"] == entries[guide_url]
    reviewed_guide.refresh_from_db()
    assert entries[guide_url] == reviewed_guide.content_changed_at.isoformat()
    assert entries[f"{SITE}/"] == reviewed_guide.content_changed_at.isoformat()
    for slug in SitePage.FOOTER:
        assert f"{SITE}/{slug}/" in entries
    assert f"{SITE}/people/ada/" in entries
    assert not any(draft.slug in loc for loc in entries)


def test_sitemap_lastmod_follows_a_child_edit(client, full_guide):
    stage = Stage.objects.get(guide=full_guide)
    stage.title = "Changed"
    stage.save()
    full_guide.refresh_from_db()
    assert full_guide.content_changed_at.isoformat() in client.get("/sitemap.xml").content.decode()


def test_robots_allows_site_and_names_sitemap_but_not_the_admin(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Allow: /\n" in body
    # A secret ADMIN_URL must not be disclosed here (issue 15, finding 3).
    assert "admin" not in body and "Disallow" not in body
    assert f"Sitemap: {SITE}/sitemap.xml" in body
    assert "?" not in body


# Metadata on every page


def public_urls(guide):
    return [
        reverse("home"),
        guide.get_absolute_url(),
        *[f"/{slug}/" for slug in SitePage.FOOTER],
        reverse("person", kwargs={"slug": guide.reviewed_by.slug}),
    ]


def test_every_page_has_unique_title_description_one_h1_lang_and_canonical(
    client, reviewed_guide, site_pages, settings
):
    # Even when the Host header is accepted, URLs are built from SITE_URL.
    settings.ALLOWED_HOSTS = ["evil.example"]
    titles = set()
    for url in public_urls(reviewed_guide):
        response, page = html(client, url + "?utm_source=x", host="evil.example")
        assert len(elements(response, "html", lang="en")) == 1
        assert len(elements(response, "h1")) == 1, url
        [head] = elements(response, "head")
        [title] = elements(head, "title")  # not the charts' SVG titles
        assert title not in titles
        titles.add(title)
        assert len(attribute(response, "meta", "content", name="description")) > 10, url
        assertContains(response, f'<link rel="canonical" href="{SITE}{url}">', html=True)
        for prop in [
            "og:title",
            "og:description",
            "og:url",
            "og:image",
            "og:image:width",
            "og:image:height",
            "og:image:alt",
        ]:
            assert len(elements(response, "meta", property=prop)) == 1, (url, prop)
        assertContains(
            response, '<meta name="twitter:card" content="summary_large_image">', html=True
        )
        assert "evil.example" not in page


def test_guide_title_uses_seo_fields_with_fallbacks(client, full_guide):
    response, _ = html(client, full_guide.get_absolute_url())
    assertContains(response, f"<title>{full_guide.title} | Career Guide</title>", html=True)
    full_guide.seo_title = "A custom SEO title"
    full_guide.seo_description = "A custom description for search."
    full_guide.save()
    response, _ = html(client, full_guide.get_absolute_url())
    assertContains(response, "<title>A custom SEO title</title>", html=True)
    assertContains(
        response, '<meta name="description" content="A custom description for search.">', html=True
    )


# Dates and structured data


def test_dates_agree_everywhere(client, reviewed_guide):
    response, page = html(client, reviewed_guide.get_absolute_url())
    reviewed_guide.refresh_from_db()
    stamp = reviewed_guide.content_changed_at
    assert response["Last-Modified"] == http_date(stamp.timestamp())
    nodes = by_type(json_ld(page))
    assert nodes["WebPage"]["dateModified"] == stamp.isoformat()
    assert nodes["Article"]["dateModified"] == stamp.isoformat()
    assertContains(response, hero_meta(reviewed_guide, REVIEWED_BY_ADA), html=True)


def test_json_ld_graph_types_and_required_fields(client, reviewed_guide):
    factories.figure(
        reviewed_guide,
        country=factories.country(code="GB"),
        amount=35000,
        p25=30000,
        p75=43438,
        currency="GBP",
    )
    response, page = html(client, reviewed_guide.get_absolute_url())
    graph = json_ld(page)
    assert graph["@context"] == "https://schema.org"
    nodes = by_type(graph)
    assert {
        "Organization",
        "WebPage",
        "Article",
        "BreadcrumbList",
        "Occupation",
        "FAQPage",
        "Person",
    } <= set(nodes)
    article = nodes["Article"]
    assert article["headline"] == reviewed_guide.title
    assert article["inLanguage"] == "en"
    assert article["author"]["@id"] == nodes["Person"]["@id"]
    assert nodes["Person"]["url"] == f"{SITE}/people/ada/"
    assert article["publisher"]["@id"] == nodes["Organization"]["@id"]
    crumbs = nodes["BreadcrumbList"]["itemListElement"]
    assert [c["position"] for c in crumbs] == [1, 2]
    assert crumbs[-1]["item"] == f"{SITE}{reviewed_guide.get_absolute_url()}"
    occupation = nodes["Occupation"]
    assert occupation["name"] == reviewed_guide.name
    assert "Python" in occupation["skills"]
    assert occupation["occupationLocation"]
    salaries = occupation["estimatedSalary"]
    assert len(salaries) == SalaryFigure.objects.filter(guide=reviewed_guide).count()
    for s in salaries:
        assert s["@type"] == "MonetaryAmountDistribution"
        assert s["duration"] in {"P1Y", "P1M"}
        assert s["currency"] in {"EUR", "GBP"}
        assert isinstance(s["median"], int)
    gb = next(s for s in salaries if s["currency"] == "GBP")
    assert (gb["percentile25"], gb["median"], gb["percentile75"]) == (30000, 35000, 43438)
    assertContains(response, '<span class="amount">£35,000</span>', html=True)  # as shown
    faq = nodes["FAQPage"]["mainEntity"]
    assert faq[0]["@type"] == "Question"
    assert faq[0]["acceptedAnswer"]["text"] == "An answer."


def test_json_ld_cannot_be_broken_out_of(client, full_guide):
    from roadmaps.models import FAQ

    FAQ.objects.filter(guide=full_guide).update(answer="</script><script>alert(1)</script>")
    _, page = html(client, full_guide.get_absolute_url())
    assert "<script>alert(1)" not in page
    assert json_ld(page)


# Who stands behind it


def test_byline_links_to_profile_page_in_two_queries(
    client, reviewed_guide, django_assert_num_queries
):
    response, _ = html(client, reviewed_guide.get_absolute_url())
    assertContains(response, hero_meta(reviewed_guide, REVIEWED_BY_ADA), html=True)
    with django_assert_num_queries(2):
        profile, _ = html(client, "/people/ada/")
    assertContains(
        profile,
        f'<li><a href="{reviewed_guide.get_absolute_url()}">{reviewed_guide.title}</a>,'
        " reviewed 20 November 2026</li>",
        html=True,
    )


def test_person_without_published_guide_is_404(client, db):
    Person.objects.create(name="Nobody", slug="nobody")
    assert client.get("/people/nobody/").status_code == 404


def test_footer_links_to_site_pages_served_in_one_query(
    client, full_guide, site_pages, django_assert_num_queries
):
    response, _ = html(client, full_guide.get_absolute_url())
    [footer] = elements(response, "footer")
    for slug in SitePage.FOOTER:
        assert elements(footer, "a", href=f"/{slug}/"), slug
        clear_pages()
        # The methodology page also reads its figures and grades: 3 queries.
        with django_assert_num_queries(3 if slug == SitePage.METHODOLOGY else 1):
            assert client.get(f"/{slug}/").status_code == 200


def test_methodology_lists_sources_and_grades_without_figures_in_three_queries(
    client, full_guide, site_pages, django_assert_num_queries
):
    source = SalaryFigure.objects.get(guide=full_guide).source
    with django_assert_num_queries(3):
        response, _ = html(client, "/methodology/")
    assertContains(
        response,
        f'<li><a href="{source.url}" rel="nofollow noopener">{source.name}</a></li>',
        html=True,
    )
    assertContains(response, "<dt>Median</dt>", html=True)
    assertContains(response, "<dt>Base salary</dt>", html=True)
    assertContains(response, "<li>Country DE: Middle, Senior, Lead</li>", html=True)


def test_site_page_markdown_is_sanitized(client, site_pages):
    SitePage.objects.filter(slug="about").update(
        body="## Team\n\nHello <script>alert(1)</script> [link](https://example.org)"
    )
    response, page = html(client, "/about/")
    assertContains(response, "<h2>Team</h2>", html=True)
    assert "<script>alert(1)" not in page  # the raw markup: no script element at all
    assertContains(response, '<a href="https://example.org" rel="noopener">link</a>', html=True)


def test_unpublished_site_page_is_404(client, site_pages):
    SitePage.objects.filter(slug="imprint").update(is_published=False)
    assert client.get("/imprint/").status_code == 404


# Social card


def test_social_card_is_a_1200x630_png_at_the_og_url(client, full_guide):
    page, _ = html(client, full_guide.get_absolute_url())
    og = attribute(page, "meta", "content", property="og:image")
    assert og == f"{SITE}/careers/{full_guide.slug}/social.png"
    response = client.get(og.removeprefix(SITE))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("PNG", (1200, 630))
    assertContains(page, '<meta property="og:image:width" content="1200">', html=True)
    assertContains(page, '<meta property="og:image:height" content="630">', html=True)


def test_social_card_is_redrawn_only_when_the_guide_changes(client, full_guide, monkeypatch):
    from careerguide.seo import social

    calls = []
    real = social.draw_card
    monkeypatch.setattr(social, "draw_card", lambda *a, **k: calls.append(1) or real(*a, **k))
    url = f"/careers/{full_guide.slug}/social.png"
    client.get(url)
    client.get(url)
    assert len(calls) == 1
    full_guide.name = "Renamed Developer"
    full_guide.save()
    client.get(url)
    assert len(calls) == 2


def test_social_card_of_unknown_guide_is_404(client, db):
    assert client.get("/careers/nope/social.png").status_code == 404


# Conditional GET


def test_guide_answers_304_to_matching_validators(client, full_guide):
    url = full_guide.get_absolute_url()
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    assert client.get(url, headers={"if-modified-since": modified}).status_code == 304
    assert client.get(url, headers={"if-none-match": '"other"'}).status_code == 200
    home = client.get("/")
    assert home["ETag"] and home["Last-Modified"]
    assert client.get("/", headers={"if-none-match": home["ETag"]}).status_code == 304


@pytest.mark.parametrize("change", ["edit_stage", "delete_figure", "delete_story"])
def test_etag_changes_after_a_child_edit(client, full_guide, change):
    url = full_guide.get_absolute_url()
    before = client.get(url)["ETag"]
    if change == "edit_stage":
        stage = Stage.objects.get(guide=full_guide)
        stage.description = "Edited."
        stage.save()
    elif change == "delete_figure":
        SalaryFigure.objects.get(guide=full_guide).delete()
    else:
        Story.objects.get(guide=full_guide).delete()
    response = client.get(url, headers={"if-none-match": before})
    assert response.status_code == 200
    assert response["ETag"] != before


def test_head_works_on_every_page(client, reviewed_guide, site_pages):
    for url in [
        *public_urls(reviewed_guide),
        "/robots.txt",
        "/sitemap.xml",
        f"/careers/{reviewed_guide.slug}/social.png",
        "/social.png",
    ]:
        response = client.head(url)
        assert response.status_code == 200, url


# Moved and missing pages


def test_changed_slug_redirects_permanently(client, full_guide):
    old = full_guide.get_absolute_url()
    full_guide.slug = "renamed-guide"
    full_guide.save()
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == "/careers/renamed-guide/"
    assert client.get("/careers/renamed-guide/").status_code == 200
    # Renaming back removes the redirect instead of looping.
    full_guide.slug = old.strip("/").split("/")[-1]
    full_guide.save()
    assert client.get(old).status_code == 200


def test_missing_trailing_slash_redirects_once_permanently(client, full_guide):
    response = client.get(full_guide.get_absolute_url().rstrip("/"))
    assert response.status_code == 301
    assert response["Location"] == full_guide.get_absolute_url()


def test_404_page_is_helpful_and_noindex(client, full_guide):
    response = client.get("/careers/no-such-guide/")
    assertContains(response, '<meta name="robots" content="noindex">', status_code=404, html=True)
    assertContains(
        response,
        f'<li><a href="{full_guide.get_absolute_url()}">{full_guide.title}</a></li>',
        status_code=404,
        html=True,
    )
    assert len(elements(response, "h1")) == 1


def test_draft_guide_is_absent_everywhere(client, full_guide, site_pages):
    Guide.objects.filter(pk=full_guide.pk).update(is_published=False)
    assert client.get(full_guide.get_absolute_url()).status_code == 404
    assertNotContains(client.get("/sitemap.xml"), full_guide.slug)
    assert client.get(f"/careers/{full_guide.slug}/social.png").status_code == 404


def test_json_ld_is_escaped_exactly_as_json_script_escapes():
    """to_script makes the same bytes as Django's json_script (but the type):
    nothing an editor writes can close the tag."""
    from django.utils.html import json_script

    from careerguide.seo.jsonld import CompactJSONEncoder, to_script

    data = {"name": "</script><script>alert(1)</script> & «Grüße» <!--", "n": [1, 2.5, None]}
    expected = json_script(data, encoder=CompactJSONEncoder).replace(
        '<script type="application/json">', '<script type="application/ld+json">'
    )
    assert str(to_script(data)) == expected
    assert "</script>" not in str(to_script(data))[: -len("</script>")]
