"""The starter content's first version: every loaded row of a model under
history has a "Starter content" revision, so its starter value can be restored
after it was edited."""

import datetime

import pytest
import reversion
from django.urls import reverse
from pytest_django.asserts import assertContains
from reversion.models import Version

from careerguide import starter
from roadmaps.blocks import accessor, block_models
from roadmaps.models import Guide
from salaries.models import SalaryFigure
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_loaded_row_under_history_has_a_starter_version():
    loaded = starter.load()
    registered = [model for model in loaded if reversion.is_registered(model)]
    # The loader loads guides, blocks, figures, stories, site pages...; all have history.
    assert set(loaded) == set(registered)
    for model, pks in loaded.items():
        for obj in model._base_manager.filter(pk__in=pks):
            history = Version.objects.get_for_object(obj)
            comments = {v.revision.comment for v in history}
            assert comments == {starter.STARTER_COMMENT}, (model, obj.pk)
            # Saved after the dates were set: the version is the row as loaded
            # (the serialized date keeps milliseconds only).
            if hasattr(obj, "updated_at"):
                kept = history.first().field_dict["updated_at"]
                assert abs(kept - obj.updated_at) < datetime.timedelta(milliseconds=1)


def test_one_revision_per_row_so_restoring_one_figure_restores_it_alone():
    starter.load()
    first = SalaryFigure.objects.order_by("pk").first()
    revision = Version.objects.get_for_object(first).get().revision
    assert [v.object_id for v in revision.version_set.all()] == [str(first.pk)]
    # The guide's revision holds its inline rows, as the guide's admin saves do.
    guide = Guide.objects.get()
    guide_revision = Version.objects.get_for_object(guide).get().revision
    inline_rows = sum(getattr(guide, accessor(m)).count() for m in block_models(inline=True))
    assert guide_revision.version_set.count() == 1 + inline_rows


def test_the_starter_value_of_a_figure_is_restored_after_its_first_edit(publisher_client):
    starter.load()
    figure, other = SalaryFigure.objects.order_by("pk")[:2]
    starter_amount, other_amount = figure.amount, other.amount
    figure.amount = starter_amount + 1
    factories.save_revision(figure, comment="A first edit")
    other.amount = other_amount + 1
    factories.save_revision(other, comment="Another edit")

    history = publisher_client.get(reverse("admin:salaries_salaryfigure_history", args=[figure.pk]))
    assertContains(history, "Starter content")
    oldest = Version.objects.get_for_object(figure).last()
    assert oldest.revision.comment == "Starter content"
    oldest.revision.revert()

    figure.refresh_from_db()
    other.refresh_from_db()
    assert figure.amount == starter_amount
    assert other.amount == other_amount + 1  # the other figure's edit stays
