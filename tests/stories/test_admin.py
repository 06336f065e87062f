"""Stories in the admin: publishing a draft, who changed what, and recovering a
deleted story (django-reversion)."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains
from reversion.models import Version

from stories.models import Story
from tests import factories
from tests.factories import save_revision

pytestmark = pytest.mark.django_db


def test_publish_action_publishes_a_draft_story(editor_client, publisher_client, full_guide):
    story = factories.story(full_guide, first_name="Newcomer", is_published=False)
    data = {"action": "publish", "_selected_action": [story.pk]}
    url = reverse("admin:stories_story_changelist")
    assert editor_client.post(url, data).status_code == 403  # publishers only
    assert not Story.objects.get(pk=story.pk).is_published
    response = publisher_client.post(url, data)
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.is_published
    editor_client.logout()
    page = editor_client.get(full_guide.get_absolute_url())
    assert story in page.context["page"].stories
    assertContains(page, "Newcomer")


def test_history_shows_who_changed_what(editor_client, full_guide, editor):
    story = Story.objects.get(guide=full_guide)
    url = reverse("admin:stories_story_change", args=[story.pk])
    form = editor_client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data["skills"] = [s.pk for s in data.get("skills", [])]
    data.update(body="Edited body.", is_published="on")
    data = {k: v for k, v in data.items() if k not in {"created_at", "updated_at"}}
    assert editor_client.post(url, data).status_code == 302
    version = Version.objects.get_for_object(story).first()
    assert version.revision.user == editor
    history = editor_client.get(reverse("admin:stories_story_history", args=[story.pk]))
    assert history.status_code == 200
    assert history.context["action_list"][0]["revision"].user == editor
    assertContains(history, "edna")


def test_a_deleted_story_can_be_recovered(publisher_client, full_guide):
    story = Story.objects.get(guide=full_guide)
    save_revision(story)
    response = publisher_client.post(
        reverse("admin:stories_story_delete", args=[story.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Story.objects.filter(pk=story.pk).exists()
    recover_list = publisher_client.get(reverse("admin:stories_story_recoverlist"))
    assert recover_list.status_code == 200
    deleted = Version.objects.get_deleted(Story).first()
    assert deleted.object_id == str(story.pk)
    recover_url = reverse("admin:stories_story_recover", args=[deleted.pk])
    assert publisher_client.get(recover_url).status_code == 200
    deleted.revert()
    assert Story.objects.filter(pk=story.pk, body=story.body).exists()
