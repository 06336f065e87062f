"""The starter loader fills a fresh database once, and never again."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from careerguide import starter
from roadmaps.models import FAQ, Guide, Skill, Stage, StarterContent
from salaries.models import SalaryFigure, Source
from stories.models import Story

pytestmark = pytest.mark.django_db


def test_loader_fills_a_fresh_database(client):
    call_command("load_starter_content")
    guide = Guide.objects.get(slug="backend-developer")
    assert guide.is_published and guide.is_featured
    assert Stage.objects.filter(guide=guide).count() == 4
    assert Skill.objects.filter(guide=guide, kind="technical").count() >= 8
    assert Skill.objects.filter(guide=guide, kind="soft").exists()
    assert FAQ.objects.filter(guide=guide).count() >= 5
    assert Story.objects.filter(guide=guide).count() == 3
    assert SalaryFigure.objects.filter(guide=guide).count() == 25
    # Every technical skill is taught by some stage.
    assert not Skill.objects.filter(guide=guide, kind="technical", stages=None).exists()
    page = client.get(reverse("guide", kwargs={"slug": guide.slug})).content.decode()
    assert page.count("Programming Fundamentals and First Language") == 1
    assert "Robert Half" not in page
    assert "No reliable figure yet" in page


def test_loader_leaves_out_averages_and_unstated_statistics(db):
    starter.load()
    assert not SalaryFigure.objects.filter(note__startswith="AVERAGE").exists()
    assert not SalaryFigure.objects.filter(note__startswith="STATISTIC NOT STATED").exists()
    assert set(SalaryFigure.objects.values_list("statistic", flat=True)) == {"median"}
    proxies = SalaryFigure.objects.filter(note__contains="PROXY ROLE")
    assert proxies.count() == 6
    assert all(f.is_proxy_role and f.segment for f in proxies)
    assert not Source.objects.filter(name__icontains="Robert Half").exists()


def test_loader_refuses_once_its_marker_exists_even_after_tables_are_emptied(db):
    starter.load()
    assert StarterContent.objects.filter(name=starter.MARKER).exists()
    Story.objects.all().delete()
    with pytest.raises(starter.AlreadyLoaded):
        starter.load()
    assert not Story.objects.exists()
    with pytest.raises(CommandError):
        call_command("load_starter_content", "--strict")
    call_command("load_starter_content")  # `make run`: skips quietly
    assert not Story.objects.exists()


def test_edited_content_survives_a_second_run(db):
    starter.load()
    guide = Guide.objects.get(slug="backend-developer")
    guide.headline = "Edited by an editor."
    guide.save()
    call_command("load_starter_content")
    guide.refresh_from_db()
    assert guide.headline == "Edited by an editor."
