"""The Profession → Guide rename keeps an existing database whole.

The database is taken back to the migrations of the main branch before the
rename, filled there through the historical models as the old code would have
filled it (a guide with inline rows, a figure, a story, an Editors group with
the guide permissions, and a django-reversion revision serialized by the old
models), then migrated forward with `migrate`, as a deploy does. The old
revision must then revert, inline rows included.
"""

import datetime

import pytest
from django.core import serializers
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("roadmaps", "0003_slugredirect"),
    ("salaries", "0001_initial"),
    ("stories", "0001_initial"),
]


def _version(apps, revision, obj):
    """A reversion Version of `obj`, serialized the way reversion does it."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Version = apps.get_model("reversion", "Version")
    ct = ContentType.objects.get_for_model(obj)
    return Version.objects.create(
        revision=revision,
        object_id=str(obj.pk),
        content_type=ct,
        db="default",
        format="json",
        serialized_data=serializers.serialize("json", [obj]),
        object_repr=str(obj),
    )


def _fill_old_database(apps):
    Profession = apps.get_model("roadmaps", "Profession")
    Stage = apps.get_model("roadmaps", "Stage")
    Skill = apps.get_model("roadmaps", "Skill")
    FAQ = apps.get_model("roadmaps", "FAQ")
    Region = apps.get_model("roadmaps", "Region")
    Country = apps.get_model("roadmaps", "Country")
    Grade = apps.get_model("salaries", "Grade")
    Source = apps.get_model("salaries", "Source")
    SalaryFigure = apps.get_model("salaries", "SalaryFigure")
    Story = apps.get_model("stories", "Story")
    Revision = apps.get_model("reversion", "Revision")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")

    guide = Profession.objects.create(
        name="Backend Developer",
        slug="backend-developer",
        headline="The headline before the edit",
        intro="Intro.",
        reviewed_on=datetime.date(2026, 1, 15),
        is_published=True,
    )
    skill = Skill.objects.create(profession=guide, name="Python", kind="technical")
    stage = Stage.objects.create(
        profession=guide, month_from=1, month_to=3, title="Foundations", description="d"
    )
    stage.skills.add(skill)
    faq = FAQ.objects.create(profession=guide, question="Is it hard?", answer="It takes work.")
    region = Region.objects.create(name="Europe", slug="europe")
    country = Country.objects.create(region=region, name="Germany", code="DE")
    grade = Grade.objects.create(name="Junior", slug="junior")
    source = Source.objects.create(name="A survey", url="https://example.org/")
    SalaryFigure.objects.create(
        profession=guide, country=country, grade=grade, source=source, amount=50000,
        currency="EUR", data_year=2025,
    )  # fmt: skip
    Story.objects.create(
        profession=guide, slug="olga", first_name="Olga", former_role="Teacher",
        transition_months=12, body="Her story.",
    )  # fmt: skip

    # The revision an editor made before the rename: the guide and its inline rows.
    revision = Revision.objects.create(
        date_created=datetime.datetime(2026, 2, 1, 10, tzinfo=datetime.UTC), comment="Before"
    )
    for obj in (guide, skill, stage, faq):
        _version(apps, revision, obj)

    # Permissions exist only after a post_migrate; create the ones Editors held.
    ct, _ = ContentType.objects.get_or_create(app_label="roadmaps", model="profession")
    editors, _ = Group.objects.get_or_create(name="Editors")
    for action in ("add", "change", "view"):
        perm, _ = Permission.objects.get_or_create(
            content_type=ct, codename=f"{action}_profession",
            defaults={"name": f"Can {action} profession"},
        )  # fmt: skip
        editors.permissions.add(perm)
    return revision.pk, guide.pk


@pytest.mark.django_db(transaction=True)
def test_rename_keeps_rows_permissions_and_old_revisions():
    call_command("migrate", "roadmaps", "0003_slugredirect", verbosity=0)
    loader = MigrationExecutor(connection).loader
    others = [n for n in loader.graph.leaf_nodes() if n[0] not in {a for a, _ in BEFORE}]
    old_apps = loader.project_state(BEFORE + others).apps
    revision_pk, guide_pk = _fill_old_database(old_apps)

    call_command("migrate", verbosity=0)

    from django.contrib.auth.models import Group
    from reversion.models import Revision

    from roadmaps.models import FAQ, Guide, Stage
    from salaries.models import SalaryFigure
    from stories.models import Story

    guide = Guide.objects.get(pk=guide_pk)
    assert guide.headline == "The headline before the edit"
    assert SalaryFigure.objects.get(guide=guide).amount == 50000
    assert Story.objects.get(guide=guide).first_name == "Olga"
    assert [s.name for s in Stage.objects.get(guide=guide).skills.all()] == ["Python"]

    # The group keeps the same permission rows, now named as Django names them.
    codenames = set(
        Group.objects.get(name="Editors")
        .permissions.filter(content_type__model="guide")
        .values_list("codename", flat=True)
    )
    assert {"add_guide", "change_guide", "view_guide"} <= codenames
    assert not any(c.endswith("_profession") for c in codenames)

    # Edit after the rename, then revert the revision made before it.
    guide.headline = "A new headline"
    guide.save()
    Stage.objects.filter(guide=guide).update(title="Renamed stage")
    FAQ.objects.filter(guide=guide).delete()

    Revision.objects.get(pk=revision_pk).revert(delete=True)

    guide.refresh_from_db()
    assert guide.headline == "The headline before the edit"
    assert Stage.objects.get(guide=guide).title == "Foundations"
    assert FAQ.objects.get(guide=guide).question == "Is it hard?"
