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
        ("roadmaps", "0008_publishers_group"),
    ]

    operations = [
        migrations.AlterConstraint(
            model_name="country",
            name="country_iso_code",
            constraint=roadmaps.constraints.FieldCheckConstraint(
                condition=models.Q(("code__regex", "^[A-Z]{2}$")),
                field="code",
                name="country_iso_code",
                violation_error_message="The country code is two capital letters (ISO 3166-1), such as DE or GB.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="guide",
            name="guide_plan_bounds",
            constraint=roadmaps.constraints.FieldCheckConstraint(
                condition=models.Q(
                    ("plan_min_months__gt", 0),
                    ("plan_max_months__gte", models.F("plan_min_months")),
                ),
                field="plan_max_months",
                name="guide_plan_bounds",
                violation_error_message="Plan max months must be at least plan min months, and plan min months at least 1.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="guide",
            name="guide_baseline_hours",
            constraint=roadmaps.constraints.FieldCheckConstraint(
                condition=models.Q(
                    ("baseline_hours_per_week__gte", 1), ("baseline_hours_per_week__lte", 80)
                ),
                field="baseline_hours_per_week",
                name="guide_baseline_hours",
                violation_error_message="Baseline hours per week must be between 1 and 80.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="keyfact",
            name="keyfact_typed_value",
            constraint=roadmaps.constraints.FieldCheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("kind__in", ["training", "job_search"]),
                        ("max_months__isnull", False),
                        ("min_months__isnull", False),
                        ("min_months__lte", models.F("max_months")),
                    ),
                    models.Q(
                        models.Q(("kind__in", ["training", "job_search"]), _negated=True),
                        models.Q(("text", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                field="kind",
                name="keyfact_typed_value",
                violation_error_message="A training or job search duration needs its shortest and longest months, the shortest first; any other kind of fact needs its text.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="stage",
            name="stage_months_ordered",
            constraint=roadmaps.constraints.FieldCheckConstraint(
                condition=models.Q(
                    ("month_from__gte", 1), ("month_to__gte", models.F("month_from"))
                ),
                field="month_to",
                name="stage_months_ordered",
                violation_error_message="The last month must not come before the first month, and the first month is 1 or later.",
            ),
        ),
    ]
