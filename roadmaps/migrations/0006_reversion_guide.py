"""Rewrite stored django-reversion versions and permissions for the rename in 0004.

Versions saved before the rename say `"model": "roadmaps.profession"` and give
blocks a field `profession`; reversion refuses to revert such a version. This
rewrites them to `roadmaps.guide` and `guide`, so every old revision can still
be reverted and recovered. The reverse migration writes the old names back.

Permissions keep their rows (so groups and users keep them) but take the new
codenames: `change_profession` becomes `change_guide`, as Django would name it.
"""

import json

from django.db import migrations

APPS = ("roadmaps", "salaries", "stories")


def _rewrite(apps, old_model, new_model, old_field, new_field):
    Version = apps.get_model("reversion", "Version")
    versions = Version.objects.filter(content_type__app_label__in=APPS, format="json")
    for version in versions.iterator():
        data = json.loads(version.serialized_data)
        changed = False
        for obj in data:
            if obj.get("model") == old_model:
                obj["model"] = new_model
                changed = True
            fields = obj.get("fields", {})
            if old_field in fields:
                fields[new_field] = fields.pop(old_field)
                changed = True
        if changed:
            version.serialized_data = json.dumps(data)
            version.save(update_fields=["serialized_data"])


def _rename_permissions(apps, old, new):
    Permission = apps.get_model("auth", "Permission")
    for perm in Permission.objects.filter(
        content_type__app_label="roadmaps", codename__endswith=f"_{old}"
    ):
        action = perm.codename.removesuffix(f"_{old}")
        if Permission.objects.filter(content_type=perm.content_type, codename=f"{action}_{new}"):
            continue  # already created by a post_migrate; keep the one groups hold
        perm.codename = f"{action}_{new}"
        perm.name = perm.name.replace(old, new)
        perm.save(update_fields=["codename", "name"])


def forwards(apps, schema_editor):
    _rewrite(apps, "roadmaps.profession", "roadmaps.guide", "profession", "guide")
    _rename_permissions(apps, "profession", "guide")


def backwards(apps, schema_editor):
    _rewrite(apps, "roadmaps.guide", "roadmaps.profession", "guide", "profession")
    _rename_permissions(apps, "guide", "profession")


class Migration(migrations.Migration):
    dependencies = [
        ("roadmaps", "0005_labels"),
        ("salaries", "0002_guide"),
        ("stories", "0002_guide"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
