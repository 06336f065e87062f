"""The two roles: Editors edit content (and save drafts of live content);
Publishers may also publish, unpublish, schedule and send drafts back.
Neither group has anything to do with accounts.

The groups themselves are created by migrations; their permissions are granted
after every migrate (post_migrate), because Django creates permission rows only
then. That keeps a fresh database and an upgraded one in the same state.
"""

from django.apps import apps as global_apps

EDITORS = "Editors"
PUBLISHERS = "Publishers"
CONTENT_APPS = ("roadmaps", "salaries", "stories", "careerguide")
# Editors may not delete guides (blocks use PROTECT too), nor touch the load
# marker. Going live is the publishers' step; schedules and the review history
# are changed only through the workflow, never edited as rows.
WITHHELD = {
    "delete_guide",
    "add_startercontent",
    "change_startercontent",
    "delete_startercontent",
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
# What a publisher has on top of an editor's permissions (all in `roadmaps`).
PUBLISHER_EXTRA = ("publish_draft", "schedule_draft")


def grant_editor_permissions(sender=None, apps=global_apps, using="default", **kwargs):
    """Give Editors add/change/delete/view on content models, except `WITHHELD`;
    give Publishers the same plus `PUBLISHER_EXTRA`. Connected to post_migrate
    (roadmaps.apps), so both groups come back after a `flush` too."""
    try:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
    except LookupError:
        return
    # The migrations create the groups; recreating them here too keeps them
    # after a `flush` (which empties tables, then emits post_migrate again).
    editors, _ = Group.objects.using(using).get_or_create(name=EDITORS)
    publishers, _ = Group.objects.using(using).get_or_create(name=PUBLISHERS)
    content = Permission.objects.using(using).filter(content_type__app_label__in=CONTENT_APPS)
    perms = list(content.exclude(codename__in=WITHHELD))
    editors.permissions.add(*perms)
    # An upgraded database may have granted them before they were withheld.
    editors.permissions.remove(*content.filter(codename__in=WITHHELD))
    extra = content.filter(content_type__app_label="roadmaps", codename__in=PUBLISHER_EXTRA)
    publishers.permissions.add(*perms, *extra)
