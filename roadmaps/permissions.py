"""The Editors group: everything about content, nothing about accounts.

The group itself is created by a migration; its permissions are granted after
every migrate (post_migrate), because Django creates permission rows only then.
That keeps a fresh database and an upgraded one in the same state.
"""

from django.apps import apps as global_apps

EDITORS = "Editors"
CONTENT_APPS = ("roadmaps", "salaries", "stories", "careerguide")
# Editors may not delete guides (blocks use PROTECT too), nor touch the load marker.
WITHHELD = {
    "delete_guide",
    "add_startercontent",
    "change_startercontent",
    "delete_startercontent",
}


def grant_editor_permissions(sender=None, apps=global_apps, using="default", **kwargs):
    """Give Editors add/change/delete/view on content models, except `WITHHELD`."""
    try:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
    except LookupError:
        return
    # The migration creates the group; recreating it here too keeps it after a
    # `flush` (which empties tables, then emits post_migrate again).
    group, _ = Group.objects.using(using).get_or_create(name=EDITORS)
    perms = (
        Permission.objects.using(using)
        .filter(content_type__app_label__in=CONTENT_APPS)
        .exclude(codename__in=WITHHELD)
    )
    group.permissions.add(*perms)
