"""The query budget at ten times the starter content, and the bytes a phone downloads."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import content as benchcontent
from careerguide import starter
from careerguide.pages import guide_page_queries
from roadmaps.models import Guide, Resource, Stage
from salaries.models import SalaryFigure
from stories.models import Story
from tests.commits import clear_pages

pytestmark = pytest.mark.django_db
# The guide and the grades, one query per block type on the page (10, the stages'
# resources a prefetch on the stages), and one per link the blocks prefetch (the
# stages' skills; the facts', FAQ answers' and market notes' sources): 2 + 10 + 4.
BUDGET = 16
PAGE_WEIGHT_LIMIT = 30 * 1024


def uncached_queries(client, url):
    clear_pages()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_query_budget_holds_at_ten_times_the_starter_content(client):
    starter.load()
    guide = Guide.objects.get(slug="backend-developer")
    url = guide.get_absolute_url()
    at_scale_1 = uncached_queries(client, url)
    stages, resources, stories, figures = (
        Stage.objects.count(),
        Resource.objects.count(),
        Story.objects.count(),
        SalaryFigure.objects.count(),
    )
    benchcontent.multiply_rows(guide, 10)
    assert Stage.objects.count() == 10 * stages
    assert Resource.objects.count() == 10 * resources
    assert Story.objects.count() == 10 * stories
    assert SalaryFigure.objects.count() == 10 * figures
    at_scale_10 = uncached_queries(client, url)
    assert at_scale_10 == at_scale_1
    assert at_scale_10 == BUDGET == guide_page_queries()
    assert uncached_queries(client, "/") <= 2


def sent_bytes(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_guide_html_plus_css_as_sent_compressed_is_under_30_kb(client):
    starter.load()
    url = Guide.objects.get(slug="backend-developer").get_absolute_url()
    html = client.get(url, headers={"accept-encoding": "gzip"})
    assert html["Content-Encoding"] == "gzip"
    css = client.get(staticfiles_storage.url("css/site.css"), headers={"accept-encoding": "gzip"})
    assert css.status_code == 200
    assert css["Content-Encoding"] == "gzip"
    html_bytes, css_bytes = len(sent_bytes(html)), len(sent_bytes(css))
    print(f"guide page sent: html {html_bytes} B + css {css_bytes} B")
    assert html_bytes + css_bytes <= PAGE_WEIGHT_LIMIT


def test_page_needs_no_script_fonts_or_third_party_resources(client):
    starter.load()
    url = Guide.objects.get(slug="backend-developer").get_absolute_url()
    page = client.get(url).content.decode()
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts == ['<script type="application/ld+json">']
    for tag in re.findall(r"<(?:link|img|iframe|source)[^>]+>", page):
        src = re.search(r'(?:href|src)="([^"]+)"', tag)
        if "canonical" in tag or "og:" in tag:
            continue
        assert src and src.group(1).startswith("/"), tag
    for img in re.findall(r"<img[^>]+>", page):
        assert "width=" in img and "height=" in img, img
    css_path = staticfiles_storage.path("css/site.css")
    css = Path(css_path).read_text(encoding="utf-8")
    assert "@font-face" not in css and "@import" not in css
    assert "url(http" not in css
    assert "system-ui" in css  # a system font stack


def test_static_files_are_hashed_compressed_and_immutable(client):
    url = staticfiles_storage.url("css/site.css")
    assert re.search(r"site\.[0-9a-f]{12}\.css$", url)
    response = client.get(url)
    assert "immutable" in response["Cache-Control"]
    assert "max-age=315360000" in response["Cache-Control"]


def test_bench_copies_fit_their_columns():
    """Copies of a 57-character skill name got " #10" and no longer fitted
    Skill.name (60): PostgreSQL refused them (found in CI; SQLite kept them)."""
    from roadmaps.models import Skill

    field = Skill._meta.get_field("name")
    long_name = "Security basics (OWASP Top 10, password hashing, secrets)"
    copied = benchcontent._suffixed(long_name, " #10", field)
    assert len(copied) <= field.max_length and copied.endswith(" #10")
    assert benchcontent._suffixed("Python", " #2", field) == "Python #2"
    slug = Skill._meta.get_field("guide").related_model._meta.get_field("slug")
    assert benchcontent._suffixed("a" * slug.max_length, " #3", slug).endswith("-3")
    assert len(benchcontent._suffixed("a" * slug.max_length, " #3", slug)) <= slug.max_length
