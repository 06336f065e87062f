"""One name per concept: the model `Profession` becomes `Guide`, and every
block's foreign key `profession` becomes `guide`.

RenameModel and RenameField keep the rows, the content type (so the Editors
group's permissions and django-reversion's versions stay attached) and the
admin log. Constraints that name the old field are dropped before the rename
and added back after it, since Django does not rewrite them.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, Q

BLOCKS = [
    "skill",
    "stage",
    "keyfact",
    "comparison",
    "myth",
    "faq",
    "marketinsight",
    "background",
    "languageoption",
]
UNIQUE = [
    ("skill", ("name",), "skill_unique_name", "Each skill name is used once per guide."),
    ("keyfact", ("kind",), "keyfact_unique_kind", "This guide already has a fact of this kind."),
    (
        "comparison",
        ("related_name",),
        "comparison_unique_name",
        "This guide already compares itself with that profession.",
    ),
    (
        "background",
        ("name",),
        "background_unique_name",
        "This guide already has a background with that name.",
    ),
    (
        "languageoption",
        ("name",),
        "language_unique_name",
        "This guide already offers that first language.",
    ),
]


def guide_fk():
    return models.ForeignKey(
        help_text="The guide this row belongs to.",
        on_delete=django.db.models.deletion.PROTECT,
        related_name="%(class)s_set",
        to="roadmaps.guide",
        verbose_name="guide",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("roadmaps", "0003_slugredirect"),
        ("contenttypes", "0002_remove_content_type_name"),
        # Their foreign keys to `roadmaps.profession` must exist before the rename.
        ("salaries", "0001_initial"),
        ("stories", "0001_initial"),
    ]

    operations = [
        *[migrations.RemoveConstraint(model_name=m, name=n) for m, _, n, _ in UNIQUE],
        migrations.RemoveConstraint(model_name="profession", name="profession_plan_bounds"),
        migrations.RemoveConstraint(model_name="profession", name="profession_baseline_hours"),
        migrations.RenameModel(old_name="Profession", new_name="Guide"),
        *[
            migrations.RenameField(model_name=m, old_name="profession", new_name="guide")
            for m in [*BLOCKS, "slugredirect"]
        ],
        *[migrations.AlterField(model_name=m, name="guide", field=guide_fk()) for m in BLOCKS],
        *[
            migrations.AddConstraint(
                model_name=m,
                constraint=models.UniqueConstraint(
                    fields=("guide", *fields), name=n, violation_error_message=msg
                ),
            )
            for m, fields, n, msg in UNIQUE
        ],
        migrations.AddConstraint(
            model_name="guide",
            constraint=models.CheckConstraint(
                condition=Q(plan_min_months__gt=0) & Q(plan_max_months__gte=F("plan_min_months")),
                name="guide_plan_bounds",
            ),
        ),
        migrations.AddConstraint(
            model_name="guide",
            constraint=models.CheckConstraint(
                condition=Q(baseline_hours_per_week__gte=1) & Q(baseline_hours_per_week__lte=80),
                name="guide_baseline_hours",
            ),
        ),
    ]
