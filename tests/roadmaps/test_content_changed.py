"""`content_changed_at` moves whenever anything shown on the guide's page changes."""

import datetime

import pytest
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from roadmaps.models import Guide, Skill, Stage
from salaries.models import SalaryFigure
from stories.models import Story
from tests import factories

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - datetime.timedelta(days=30)


def rewind(guide):
    Guide.objects.filter(pk=guide.pk).update(content_changed_at=LONG_AGO)


def changed(guide):
    guide.refresh_from_db()
    return guide.content_changed_at > LONG_AGO


@pytest.mark.parametrize("model", [Stage, SalaryFigure, Story])
def test_saving_or_deleting_a_row_moves_its_guide(full_guide, model):
    row = model.objects.get(guide=full_guide)
    rewind(full_guide)
    row.save()
    assert changed(full_guide)
    rewind(full_guide)
    row.delete()
    assert changed(full_guide)


def test_other_guides_do_not_move(full_guide):
    other = factories.guide()
    rewind(other)
    Stage.objects.get(guide=full_guide).save()
    assert not changed(other)


def test_changing_a_stage_skill_list_moves_the_guide(full_guide):
    stage = Stage.objects.get(guide=full_guide)
    rewind(full_guide)
    stage.skills.add(Skill.objects.get(guide=full_guide, kind="soft"))
    assert changed(full_guide)


def test_saving_a_shared_source_moves_guides_that_show_it(full_guide):
    source = SalaryFigure.objects.get(guide=full_guide).source
    rewind(full_guide)
    source.name = "Renamed source"
    source.save()
    assert changed(full_guide)


def test_saving_the_guide_itself_moves_it(full_guide):
    rewind(full_guide)
    full_guide.refresh_from_db()
    full_guide.intro = "New intro"
    full_guide.save()
    assert changed(full_guide)


def test_deleting_a_guide_with_content_is_refused(full_guide):
    with pytest.raises(ProtectedError):
        full_guide.delete()
    assert Guide.objects.filter(pk=full_guide.pk).exists()
    assert SalaryFigure.objects.filter(guide=full_guide).exists()
