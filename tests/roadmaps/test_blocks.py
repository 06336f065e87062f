"""The block registry (roadmaps.blocks) is the one list: everything that depends
on the set of blocks and sections follows it."""

import datetime

import pytest
import reversion
from django.contrib import admin
from django.template.loader import get_template
from django.utils import timezone

from roadmaps.admin import GuideAdmin
from roadmaps.blocks import BLOCKS, SECTION_CHOICES, SECTIONS, accessor, block_models
from roadmaps.models import FAQ, ContentBlock, Guide
from tests import factories
from tests.factories import elements

LONG_AGO = timezone.now() - datetime.timedelta(days=30)


def test_blocks_and_sections_are_each_listed_once():
    assert len({b.model for b in BLOCKS}) == len(BLOCKS)
    assert len({s.id for s in SECTIONS}) == len(SECTIONS)
    # A block's section is one of the registry's sections.
    assert {b.section for b in BLOCKS if b.section} <= {s.id for s in SECTIONS}


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.id)
def test_every_section_template_exists(section):
    assert get_template(section.template)


@pytest.mark.django_db
def test_every_section_renders_inside_the_page_with_its_id(client, full_guide):
    response = client.get(full_guide.get_absolute_url())
    assert response.status_code == 200
    # The full guide has a row in every section, so none is left out.
    assert list(response.context["page"].sections) == list(SECTIONS)
    used = {t.name for t in response.templates}
    for section in SECTIONS:
        assert section.template in used, section.template
        [element] = elements(response, "section", id=section.id)
        attributes = dict(element.attributes)
        assert attributes["aria-labelledby"] == f"{section.id}-h"
        assert sorted(attributes["class"].split()) == sorted(["section", *section.css.split()])
        # The partial rendered inside it: its heading carries the section's id.
        assert len(elements(element, "h2", id=f"{section.id}-h")) == 1, section.id


@pytest.mark.parametrize("model", block_models(), ids=lambda m: m.__name__)
def test_every_block_is_a_content_block_of_one_guide(model):
    assert issubclass(model, ContentBlock)
    field = model._meta.get_field("guide")
    assert field.many_to_one and field.remote_field.model is Guide
    assert hasattr(Guide, accessor(model))


def test_every_inline_block_is_edited_on_the_guide_and_followed_by_its_history():
    guide_admin = admin.site._registry[Guide]
    assert isinstance(guide_admin, GuideAdmin)
    inline_models = [inline.model for inline in guide_admin.inlines]
    follow = reversion.revisions._get_options(Guide).follow
    for model in block_models(inline=True):
        assert model in inline_models, model.__name__
        assert accessor(model) in follow, model.__name__
        assert reversion.is_registered(model), model.__name__
    # Exactly those: the blocks with admins of their own are neither inline nor followed.
    assert set(inline_models) == set(block_models(inline=True))
    assert set(follow) == {accessor(m) for m in block_models(inline=True)}
    for model in block_models(inline=False):
        assert reversion.is_registered(model) and model in admin.site._registry, model


@pytest.mark.django_db
@pytest.mark.parametrize("model", block_models(), ids=lambda m: m.__name__)
def test_every_block_is_watched_by_the_invalidation_signals(full_guide, model):
    other = Guide.objects.filter(pk=factories.guide().pk)
    row = model.objects.filter(guide=full_guide).first()
    assert row is not None, f"tests.factories.full_guide has no {model.__name__}: add one"
    for change in (row.save, row.delete):
        Guide.objects.update(content_changed_at=LONG_AGO)
        change()
        full_guide.refresh_from_db()
        assert full_guide.content_changed_at > LONG_AGO, (model.__name__, change.__name__)
        assert not other.filter(content_changed_at__gt=LONG_AGO).exists()


@pytest.mark.django_db
def test_the_table_of_contents_lists_exactly_the_sections_in_it(client, full_guide):
    response = client.get(full_guide.get_absolute_url())
    [toc] = elements(response, "nav", **{"class": "toc"})
    links = [(dict(a.attributes)["href"], a.children[0]) for a in elements(toc, "a")]
    assert links == [(f"#{s.id}", s.title) for s in SECTIONS if s.in_toc]


def test_faq_see_also_offers_every_other_section_in_the_contents():
    expected = [(s.id, s.title) for s in SECTIONS if s.in_toc and s.id != "faq"]
    assert expected == SECTION_CHOICES
    assert FAQ._meta.get_field("see_also").choices == expected
