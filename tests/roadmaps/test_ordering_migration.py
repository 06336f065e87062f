"""The order migrations keep an existing database whole: ties and gaps from
before the unique rule (every row used to start at 0) are renumbered from 0 in
the order the page showed them (position, then id), then the rule is added."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db(transaction=True)
def test_ties_and_gaps_are_renumbered_before_the_rule():
    call_command("migrate", "roadmaps", "0009_constraint_messages", verbosity=0)
    apps = (
        MigrationExecutor(connection)
        .loader.project_state(("roadmaps", "0009_constraint_messages"))
        .apps
    )
    Guide = apps.get_model("roadmaps", "Guide")
    FAQ = apps.get_model("roadmaps", "FAQ")
    one = Guide.objects.create(name="One", slug="one", position=0, reviewed_on="2026-01-01")
    two = Guide.objects.create(name="Two", slug="two", position=0, reviewed_on="2026-01-01")
    # Guide one: a tie at 0 and a gap up to 7; guide two: its own numbers.
    a = FAQ.objects.create(guide=one, question="A?", answer="a", position=0)
    b = FAQ.objects.create(guide=one, question="B?", answer="b", position=0)
    c = FAQ.objects.create(guide=one, question="C?", answer="c", position=7)
    d = FAQ.objects.create(guide=two, question="D?", answer="d", position=3)

    call_command("migrate", verbosity=0)

    from roadmaps.models import FAQ as LiveFAQ
    from roadmaps.models import Guide as LiveGuide

    got = dict(LiveFAQ.objects.values_list("pk", "position"))
    assert got == {a.pk: 0, b.pk: 1, c.pk: 2, d.pk: 0}
    assert dict(LiveGuide.objects.values_list("pk", "position")) == {one.pk: 0, two.pk: 1}
