"""The figure's foreign key `profession` becomes `guide` (see roadmaps 0004)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("salaries", "0001_initial"),
        ("roadmaps", "0004_guide"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="salaryfigure", name="figure_unique_cell"),
        migrations.RenameField(model_name="salaryfigure", old_name="profession", new_name="guide"),
        migrations.AlterField(
            model_name="salaryfigure",
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
            model_name="salaryfigure",
            constraint=models.UniqueConstraint(
                fields=("guide", "country", "grade", "source", "segment"),
                name="figure_unique_cell",
            ),
        ),
    ]
