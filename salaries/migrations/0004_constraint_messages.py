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
        ("salaries", "0003_labels"),
    ]

    operations = [
        migrations.AlterConstraint(
            model_name="salaryfigure",
            name="figure_amount_positive",
            constraint=roadmaps.constraints.FieldCheckConstraint(
                condition=models.Q(("amount__gt", 0)),
                field="amount",
                name="figure_amount_positive",
                violation_error_message="The amount must be more than 0.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="salaryfigure",
            name="figure_p25_le_median",
            constraint=roadmaps.constraints.FieldCheckConstraint(
                condition=models.Q(
                    ("p25__isnull", True),
                    models.Q(("p25__gt", 0), ("p25__lte", models.F("amount"))),
                    _connector="OR",
                ),
                field="p25",
                name="figure_p25_le_median",
                violation_error_message="The 25th percentile must be more than 0 and at most the median (the amount), or empty.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="salaryfigure",
            name="figure_p75_ge_median",
            constraint=roadmaps.constraints.FieldCheckConstraint(
                condition=models.Q(
                    ("p75__isnull", True), ("p75__gte", models.F("amount")), _connector="OR"
                ),
                field="p75",
                name="figure_p75_ge_median",
                violation_error_message="The 75th percentile must be at least the median (the amount), or empty.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="salaryfigure",
            name="figure_currency_iso",
            constraint=roadmaps.constraints.FieldCheckConstraint(
                condition=models.Q(("currency__regex", "^[A-Z]{3}$")),
                field="currency",
                name="figure_currency_iso",
                violation_error_message="The currency is a three-letter ISO code in capitals, such as EUR, USD or GBP.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="salaryfigure",
            name="figure_data_year_range",
            constraint=roadmaps.constraints.FieldCheckConstraint(
                condition=models.Q(("data_year__gte", 1990), ("data_year__lte", 2100)),
                field="data_year",
                name="figure_data_year_range",
                violation_error_message="The data year must be between 1990 and 2100.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="salaryfigure",
            name="figure_unique_cell",
            constraint=models.UniqueConstraint(
                fields=("guide", "country", "grade", "source", "segment"),
                name="figure_unique_cell",
                violation_error_message="A figure already exists for this guide, country, grade, source and segment: use Segment to tell two apart.",
            ),
        ),
    ]
