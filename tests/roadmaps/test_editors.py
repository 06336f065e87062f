"""The Editors group (roadmaps.permissions) edits content in the admin, and
nothing else."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from roadmaps.models import Draft, Guide
from salaries.models import SalaryFigure
from stories.models import Story

pytestmark = pytest.mark.django_db


def test_editors_group_exists_with_content_permissions_only():
    perms = set(
        Group.objects.get(name="Editors").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert ("salaries", "change_salaryfigure") in perms
    assert ("stories", "add_story") in perms
    assert ("roadmaps", "change_guide") in perms
    assert ("roadmaps", "delete_guide") not in perms
    assert not {app for app, _ in perms} & {"auth", "admin", "sessions", "contenttypes"}


def test_editor_changes_a_salary_figure_as_a_draft_a_publisher_publishes(
    editor_client, publisher_client, client, full_guide
):
    """With review required (the default), an editor's Save on a live figure
    becomes a draft; the public sees it only once a publisher publishes it."""
    figure = SalaryFigure.objects.get(guide=full_guide)
    url = reverse("admin:salaries_salaryfigure_change", args=[figure.pk])
    response = editor_client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(amount=54321, is_published="on")
    data = {k: v for k, v in data.items() if k not in {"created_at", "updated_at"}}
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    figure.refresh_from_db()
    assert figure.amount == 53000
    assertNotContains(client.get(full_guide.get_absolute_url()), "€54,321")

    draft = Draft.objects.get(object_id=figure.pk)
    publish = reverse("admin:salaries_salaryfigure_draft_action", args=[draft.pk, "publish"])
    assert editor_client.post(publish).status_code == 403
    assert publisher_client.post(publish).status_code == 302
    figure.refresh_from_db()
    assert figure.amount == 54321
    page = client.get(full_guide.get_absolute_url())
    assertContains(page, '<span class="amount">€54,321</span>', html=True)


def test_with_review_off_an_editors_story_change_shows_at_the_next_request(
    editor_client, client, full_guide, settings
):
    settings.REVIEW_REQUIRED = False  # a one-person site
    story = Story.objects.get(guide=full_guide)
    url = reverse("admin:stories_story_change", args=[story.pk])
    form = editor_client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data["skills"] = [s.pk for s in data.get("skills", [])]
    data.update(body="Olga now mentors other teachers.", is_published="on")
    data = {k: v for k, v in data.items() if k not in {"created_at", "updated_at"}}
    response = editor_client.post(url, data)
    assert response.status_code == 302
    editor_client.logout()
    assertContains(client.get(full_guide.get_absolute_url()), "Olga now mentors other teachers.")


def test_editor_gets_403_on_users_and_groups(editor_client):
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_user_add")).status_code == 403


def test_editor_cannot_delete_a_guide(editor_client, guide):
    url = reverse("admin:roadmaps_guide_delete", args=[guide.pk])
    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert Guide.objects.filter(pk=guide.pk).exists()


def test_admin_pages_open_for_an_editor(editor_client, full_guide):
    for name in [
        "roadmaps_guide_change",
        "salaries_salaryfigure_changelist",
        "stories_story_changelist",
    ]:
        args = [full_guide.pk] if name.endswith("_change") else []
        assert editor_client.get(reverse(f"admin:{name}", args=args)).status_code == 200, name


def test_view_on_site_points_at_the_guide(editor_client, full_guide):
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(full_guide)
    response = editor_client.get(reverse("admin:view_on_site", args=[ct.pk, full_guide.pk]))
    assert response.status_code == 302
    assert response["Location"].endswith(full_guide.get_absolute_url())


def test_editors_do_not_see_the_starter_content_marker(editor_client):
    """Bug: editors saw a "Starter content" list they have no use for."""
    index = editor_client.get(reverse("admin:index"))
    assert not any(
        model["object_name"] == "StarterContent"
        for app in index.context["app_list"]
        for model in app["models"]
    )
    url = reverse("admin:roadmaps_startercontent_changelist")
    assert editor_client.get(url).status_code == 403
