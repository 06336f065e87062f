"""Create the Publishers group. Its permissions (an editor's, plus publishing and
scheduling drafts) are granted by the post_migrate handler in
roadmaps.permissions, since permission rows exist only after migrate."""

from django.db import migrations


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="Publishers")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("roadmaps", "0007_workflow"),
    ]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
