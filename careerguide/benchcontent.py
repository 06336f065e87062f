"""Synthetic content for benchmarks and scale tests: copies of a real guide.

Two shapes: `clone_guides(guide, n)` adds guides as large as the original;
`multiply_rows(guide, factor)` grows one guide to `factor` times its rows.
Both write in bulk and then bump the content stamp explicitly, since bulk
writes send no signals.
"""

import copy

from django.db import transaction

from roadmaps.models import (
    FAQ,
    Background,
    Comparison,
    KeyFact,
    LanguageOption,
    MarketInsight,
    Myth,
    Skill,
    Stage,
)
from roadmaps.signals import guides_changed
from salaries.models import SalaryFigure
from stories.models import Story

# model → the field made unique per guide by a suffix ("" when none is needed)
BLOCKS = {
    Myth: None,
    FAQ: None,
    MarketInsight: None,
    LanguageOption: "name",
    Comparison: "related_name",
    Story: "slug",
    SalaryFigure: "segment",
}


def snapshot(guide):
    """The guide's rows as they are now, so copies are never copied again."""
    rows = {model: list(model.objects.filter(guide=guide)) for model in BLOCKS}
    rows[Skill] = list(Skill.objects.filter(guide=guide))
    rows[Stage] = list(Stage.objects.filter(guide=guide).prefetch_related("skills"))
    rows[Background] = list(Background.objects.filter(guide=guide).prefetch_related("skills"))
    rows[KeyFact] = list(KeyFact.objects.filter(guide=guide))
    return rows


def _copy(obj, **changes):
    new = copy.copy(obj)
    new.pk = new.id = None
    new._state = copy.copy(obj._state)
    new._state.adding = True
    for field, value in changes.items():
        setattr(new, field, value)
    return new


def _suffixed(value, suffix, field):
    if not suffix:
        return value
    if field == "slug":
        return f"{value}-{suffix.strip(' #')}"
    return f"{value}{suffix}".strip()


def copy_rows(rows, target, suffix, with_facts):
    """Copy a snapshot's rows onto `target`, suffixing fields that must be unique."""
    skills = {}
    for skill in rows[Skill]:
        skills[skill.pk] = _copy(skill, guide=target, name=_suffixed(skill.name, suffix, "name"))
        skills[skill.pk].save()
    for model in (Stage, Background):
        for row in rows[model]:
            changes = {"guide": target}
            if model is Background:
                changes["name"] = _suffixed(row.name, suffix, "name")
            new = _copy(row, **changes)
            new.save()
            new.skills.set([skills[s.pk] for s in row.skills.all()])
    for model, field in BLOCKS.items():
        new_rows = []
        for row in rows[model]:
            changes = {"guide": target}
            if field:
                changes[field] = _suffixed(getattr(row, field), suffix, field)
            if model is Story:
                changes["background"] = None
            new_rows.append(_copy(row, **changes))
        model.objects.bulk_create(new_rows)
    if with_facts:  # one fact per kind and guide
        KeyFact.objects.bulk_create([_copy(f, guide=target) for f in rows[KeyFact]])


@transaction.atomic
def multiply_rows(guide, factor):
    """Grow `guide` to `factor` times its rows (key facts stay one per kind)."""
    rows = snapshot(guide)
    for k in range(2, factor + 1):
        copy_rows(rows, guide, f" #{k}", with_facts=False)
    guides_changed([guide.pk])
    return guide


@transaction.atomic
def clone_guides(guide, count):
    """Add `count` published guides, each a full copy of `guide`."""
    rows = snapshot(guide)
    clones = []
    for k in range(1, count + 1):
        clone = _copy(guide, name=f"{guide.name} {k}", slug=f"{guide.slug}-{k}", is_featured=False)
        clone.save()
        copy_rows(rows, clone, "", with_facts=True)
        clones.append(clone)
    guides_changed()
    return clones
