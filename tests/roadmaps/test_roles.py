"""The two roles (roadmaps.permissions): Editors edit and save drafts;
Publishers have everything Editors have, plus publishing and scheduling. Both
survive a fresh migrate and a `flush`."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command

from roadmaps.permissions import EDITORS, PUBLISHERS, WITHHELD, grant_editor_permissions

WORKFLOW_WITHHELD = {
    "publish_draft",
    "schedule_draft",
    "add_schedule",
    "change_schedule",
    "delete_schedule",
    "change_draftevent",
    "delete_draftevent",
    "change_draft",
    "delete_draft",
}


def codenames(name):
    return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))


def assert_roles():
    editors, publishers = codenames(EDITORS), codenames(PUBLISHERS)
    assert not editors & WORKFLOW_WITHHELD
    # Editors still save drafts and read the workflow's rows.
    assert {"add_draft", "view_draft", "view_draftevent", "view_schedule"} <= editors
    assert {"change_guide", "change_story", "change_salaryfigure"} <= editors
    assert publishers == editors | {"publish_draft", "schedule_draft"}
    assert "delete_guide" not in publishers


@pytest.mark.django_db
def test_roles_after_migrate():
    assert_roles()


@pytest.mark.django_db(transaction=True)
def test_roles_after_flush():
    call_command("flush", interactive=False, verbosity=0)
    assert_roles()


@pytest.mark.django_db
def test_permissions_granted_before_they_were_withheld_are_taken_back():
    """An upgraded database: Editors got the workflow's permissions from an
    earlier post_migrate, before they were withheld."""
    editors = Group.objects.get(name=EDITORS)
    editors.permissions.add(*Permission.objects.filter(codename__in=WITHHELD))
    assert "publish_draft" in codenames(EDITORS)
    grant_editor_permissions()
    assert_roles()


@pytest.mark.django_db
def test_only_publishers_hold_the_publish_permission(editor):
    publisher = User.objects.create_user("pia", password="x" * 14, is_staff=True)
    publisher.groups.add(Group.objects.get(name=PUBLISHERS))
    assert publisher.has_perm("roadmaps.publish_draft")
    assert publisher.has_perm("roadmaps.schedule_draft")
    assert publisher.has_perm("stories.change_story")
    assert not editor.has_perm("roadmaps.publish_draft")
    assert not editor.has_perm("roadmaps.schedule_draft")
    assert not editor.has_perm("roadmaps.delete_draftevent")


@pytest.mark.django_db
def test_the_migration_creates_the_publishers_group():
    from importlib import import_module

    from django.apps import apps

    Group.objects.filter(name=PUBLISHERS).delete()
    migration = import_module("roadmaps.migrations.0008_publishers_group")
    migration.create_group(apps, None)
    assert Group.objects.filter(name=PUBLISHERS).exists()
