"""Renumber positions from 0 without ties or gaps, before the next migration adds
the unique rule. A migration of its own: on PostgreSQL, rows updated in the same
transaction as an ALTER TABLE leave "pending trigger events" and the ALTER fails."""

from django.db import migrations

from roadmaps.ordering import renumber_operation


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0003_constraint_messages"),
        ("roadmaps", "0010_renumber_positions"),
    ]

    operations = [
        # Ties and gaps from before the rule, renumbered in their shown order.
        renumber_operation(("stories", "Story", "guide")),
    ]
