"""The story's foreign key `profession` becomes `guide` (see roadmaps 0004)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0001_initial"),
        ("roadmaps", "0004_guide"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="story", name="story_unique_slug"),
        migrations.RenameField(model_name="story", old_name="profession", new_name="guide"),
        migrations.AlterField(
            model_name="story",
            name="guide",
            field=models.ForeignKey(
                help_text="The guide this row belongs to.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="%(class)s_set",
                to="roadmaps.guide",
                verbose_name="guide",
            ),
        ),
        migrations.AddConstraint(
            model_name="story",
            constraint=models.UniqueConstraint(fields=("guide", "slug"), name="story_unique_slug"),
        ),
    ]
