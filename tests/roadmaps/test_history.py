"""A guide's history follows its inline blocks: reverting a guide restores its
edited and deleted stages (django-reversion, registered in roadmaps.admin)."""

import pytest
from reversion.models import Version

from roadmaps.models import Stage
from tests.factories import save_revision

pytestmark = pytest.mark.django_db


def test_reverting_a_guide_restores_an_edited_and_a_deleted_stage(full_guide, editor):
    first = Stage.objects.get(guide=full_guide)
    second = Stage.objects.create(
        guide=full_guide, month_from=4, month_to=6, title="Second stage", description="d"
    )
    save_revision(full_guide, editor, "before the mistake")
    good = Version.objects.get_for_object(full_guide).first()

    second_pk = second.pk
    first.title = "A mistaken title"
    first.save()
    second.delete()
    save_revision(full_guide, editor, "the mistake")

    good.revision.revert(delete=True)
    first.refresh_from_db()
    assert first.title == "Stage One Title"
    restored = Stage.objects.get(guide=full_guide, title="Second stage")
    assert restored.pk == second_pk
    assert good.revision.user == editor
