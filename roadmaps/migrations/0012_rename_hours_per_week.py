"""Guide.baseline_hours_per_week becomes hours_per_week: the time model's one
input, which the page now states ("about 12 months at 15 hours a week")."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("roadmaps", "0011_resource"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="guide", name="guide_baseline_hours"),
        migrations.RenameField(
            model_name="guide", old_name="baseline_hours_per_week", new_name="hours_per_week"
        ),
    ]
