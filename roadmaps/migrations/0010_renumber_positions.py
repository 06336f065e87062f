"""Renumber positions from 0 without ties or gaps, before the next migration adds
the unique rule. A migration of its own: on PostgreSQL, rows updated in the same
transaction as an ALTER TABLE leave "pending trigger events" and the ALTER fails."""

from django.db import migrations

from roadmaps.ordering import renumber_operation


class Migration(migrations.Migration):
    dependencies = [
        ("roadmaps", "0009_constraint_messages"),
    ]

    operations = [
        # Ties and gaps from before the rule, renumbered in their shown order.
        renumber_operation(
            ("roadmaps", "Guide", None),
            ("roadmaps", "Region", None),
            ("roadmaps", "Country", "region"),
            ("roadmaps", "Skill", "guide"),
            ("roadmaps", "Stage", "guide"),
            ("roadmaps", "KeyFact", "guide"),
            ("roadmaps", "Comparison", "guide"),
            ("roadmaps", "Myth", "guide"),
            ("roadmaps", "FAQ", "guide"),
            ("roadmaps", "MarketInsight", "guide"),
            ("roadmaps", "Background", "guide"),
            ("roadmaps", "LanguageOption", "guide"),
        ),
    ]
