"""Editors in control: the staff preview of drafts, the admin's links to it, and
what needs attention on the admin index. (Story publishing and recovery: tests/
stories; guide history: tests/roadmaps; salary import/export and freshness:
tests/salaries.)"""

import datetime

import pytest
from django.contrib.auth.models import User
from django.test.html import parse_html
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from careerguide.editors.attention import needs_attention
from stories.models import Story
from tests import factories
from tests.factories import elements

pytestmark = pytest.mark.django_db


# Drafts and preview


def test_preview_is_for_staff_only(client, full_guide, editor):
    draft = factories.story(full_guide, first_name="Draftina", is_published=False)
    url = reverse("guide_preview", kwargs={"slug": full_guide.slug})
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    outsider = User.objects.create_user("outsider", password="x" * 14)
    client.force_login(outsider)
    assert client.get(url).status_code == 302
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200
    [card] = elements(response, "article", id=f"story-{draft.slug}")
    assert "Draftina" in str(card)
    assert draft in response.context["page"].stories
    assertContains(
        response,
        '<p class="preview-banner" role="status">Preview for editors: unpublished guides,'
        " stories and figures are shown in place. The public does not see this page.</p>",
        html=True,
    )
    assert response["Cache-Control"] == "private, no-store"
    assert "noindex" in response["X-Robots-Tag"]
    # The public page does not show the draft, and the preview was not cached.
    client.logout()
    assertNotContains(client.get(full_guide.get_absolute_url()), "Draftina")


def test_draft_guide_previews_but_is_404_and_absent_from_sitemap(editor_client, client):
    draft = factories.full_guide(is_published=False)
    assert editor_client.get(f"/preview/careers/{draft.slug}/").status_code == 200
    editor_client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404
    assertNotContains(client.get("/sitemap.xml"), draft.slug)


def test_admin_change_pages_link_to_the_preview(editor_client, full_guide):
    story = Story.objects.get(guide=full_guide)
    response = editor_client.get(reverse("admin:stories_story_change", args=[story.pk]))
    href = f"/preview/careers/{full_guide.slug}/#story-{story.slug}"
    assert elements(response, "a", href=href)
    response = editor_client.get(reverse("admin:roadmaps_guide_change", args=[full_guide.pk]))
    assert elements(response, "a", href=f"/preview/careers/{full_guide.slug}/")


# What needs attention


def test_admin_index_lists_what_needs_attention(editor_client, full_guide):
    factories.figure(full_guide, country=factories.country(code="NL"), data_year=2020)
    full_guide.reviewed_on = datetime.date.today() - datetime.timedelta(days=400)
    full_guide.save()
    attention = needs_attention()
    assert attention.stale_count == 1
    assert attention.review_due == [full_guide]
    assert any(country == "Country NL" for _, country, _ in attention.gaps)
    response = editor_client.get(reverse("admin:index"))
    [box] = elements(response, "div", id="needs-attention")
    assert elements(box, "h2") == [parse_html("<h2>Needs attention</h2>")]
    assert elements(box, "h3") == [
        parse_html(f'<h3><a href="{attention.stale_url}">1 stale salary figure</a></h3>'),
        parse_html("<h3>Guides due a review</h3>"),
        parse_html("<h3>Grades with no figure</h3>"),
    ]
