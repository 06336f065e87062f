"""Short labels become unique when set: an import may name a source by its short
label, so one label must mean one source."""

from django.db import migrations, models


def clear_repeated_labels(apps, schema_editor):
    """A label two sources share would stop the constraint from being added.
    The oldest source keeps it; the others show their full name until an
    editor gives them a label of their own."""
    Source = apps.get_model("salaries", "Source")
    seen = set()
    for source in Source.objects.exclude(short_name="").order_by("pk"):
        if source.short_name in seen:
            source.short_name = ""
            source.save(update_fields=["short_name"])
        else:
            seen.add(source.short_name)


class Migration(migrations.Migration):
    dependencies = [
        ("salaries", "0005_import_log"),
    ]

    operations = [
        migrations.AlterField(
            model_name="source",
            name="short_name",
            field=models.CharField(
                blank=True,
                help_text="Short label for tables, e.g. 'Stack Overflow 2025'. Unique when set: "
                "an import file may name the source by it instead of its full name.",
                max_length=60,
                verbose_name="short label",
            ),
        ),
        migrations.RunPython(clear_repeated_labels, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="source",
            constraint=models.UniqueConstraint(
                condition=models.Q(("short_name", ""), _negated=True),
                fields=("short_name",),
                name="source_short_name_unique",
                violation_error_message="Another source already uses this short label.",
            ),
        ),
    ]
