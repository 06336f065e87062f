"""Plain-words errors for the database rules (issue 13).

Each check and unique constraint gets a message an editor understands, and the
one-field checks become `FieldCheckConstraint`s, which show it next to that
field. The SQL of every check is unchanged, so these are state-only
`AlterConstraint`s: no table is rebuilt and no row re-checked.
"""

from django.db import migrations, models

import roadmaps.constraints


class Migration(migrations.Migration):
    dependencies = [
        ("roadmaps", "0009_constraint_messages"),
        ("stories", "0002_guide"),
    ]

    operations = [
        migrations.AlterConstraint(
            model_name="story",
            name="story_transition_months_range",
            constraint=roadmaps.constraints.FieldCheckConstraint(
                condition=models.Q(("transition_months__gte", 1), ("transition_months__lte", 120)),
                field="transition_months",
                name="story_transition_months_range",
                violation_error_message="Transition months must be between 1 and 120.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="story",
            name="story_hours_range",
            constraint=roadmaps.constraints.FieldCheckConstraint(
                condition=models.Q(
                    ("hours_per_week__isnull", True),
                    models.Q(("hours_per_week__gte", 1), ("hours_per_week__lte", 100)),
                    _connector="OR",
                ),
                field="hours_per_week",
                name="story_hours_range",
                violation_error_message="Hours per week must be between 1 and 100, or empty.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="story",
            name="story_unique_slug",
            constraint=models.UniqueConstraint(
                fields=("guide", "slug"),
                name="story_unique_slug",
                violation_error_message="This guide already has a story with that slug: choose another, e.g. add the former role.",
            ),
        ),
    ]
