"""Synthetic content for benchmarks and scale tests: copies of a real guide.

Two shapes: `clone_guides(guide, n)` adds guides as large as the original;
`multiply_rows(guide, factor)` grows one guide to `factor` times its rows.

The kinds of rows are the registry's (`roadmaps.blocks.block_models()`), and
what a copy must change is read from each model's own `_meta`:
- a field in a per-guide unique constraint (`guide` + name, slug, segment …)
  gets a suffix when the copy stays on the same guide; a model whose constraint
  has no free-text field to suffix (key facts: one per kind) is not multiplied;
- a foreign key to another block (a story's background) points at the copy;
- many-to-many links (stage, background and story skills) are copied through
  their `through` tables, to the copied skills.
Rows are written in bulk, then the content stamp is bumped explicitly, since
bulk writes send no signals.
"""

import copy

from django.core.management import call_command
from django.db import models, transaction

from careerguide import starter
from roadmaps.blocks import block_models
from roadmaps.models import Guide
from roadmaps.signals import guides_changed


def _block_fields(model, blocks):
    """The model's foreign keys and many-to-many fields that point at another block."""
    fks = [f for f in model._meta.concrete_fields if f.many_to_one and f.related_model in blocks]
    return fks, [f for f in model._meta.many_to_many if f.related_model in blocks]


def _in_dependency_order(blocks):
    """Blocks after the blocks they point at (skills before stages, backgrounds before stories)."""
    ordered = []

    def visit(model):
        if model in ordered:
            return
        fks, m2ms = _block_fields(model, blocks)
        for field in (*fks, *m2ms):
            if field.related_model is not model:
                visit(field.related_model)
        ordered.append(model)

    for model in blocks:
        visit(model)
    return ordered


def _unique_field(model):
    """(has a per-guide unique constraint, the text field a same-guide copy suffixes)."""
    for constraint in model._meta.constraints:
        # The order rule is kept by numbering copies after the guide's rows.
        fields = constraint.fields if isinstance(constraint, models.UniqueConstraint) else ()
        if "guide" in fields and "position" not in fields:
            for name in constraint.fields:
                field = model._meta.get_field(name)
                if isinstance(field, models.CharField) and not field.choices:
                    return True, field
            return True, None
    return False, None


def _flags(model):
    """Fields named in a conditional per-guide unique rule (one hero figure per
    guide): a copy on the same guide takes their default, or it would break it."""
    return [
        model._meta.get_field(name)
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint)
        and constraint.condition is not None
        and "guide" in constraint.fields
        for name, _ in constraint.condition.children
    ]


def _suffixed(value, suffix, field):
    if not suffix:
        return value
    tail = f"-{suffix.strip(' #')}" if isinstance(field, models.SlugField) else suffix
    # Cut the value, not the suffix: copies must stay unique and fit the column
    # (PostgreSQL refuses a longer value; SQLite would silently keep it).
    room = (field.max_length or len(value) + len(tail)) - len(tail)
    return f"{value[:room].rstrip()}{tail}".strip()


def _copy(obj, **changes):
    new = copy.copy(obj)
    new.pk = new.id = None
    new._state = copy.copy(obj._state)
    new._state.adding = True
    for field, value in changes.items():
        setattr(new, field, value)
    return new


def snapshot(guide):
    """The guide's rows and many-to-many links as they are now, so copies are never
    copied again: {model: (rows, {m2m field: [(from pk, to pk)]})}."""
    blocks = block_models()
    rows = {}
    for model in _in_dependency_order(blocks):
        links = {}
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            source = through._meta.get_field(field.m2m_field_name()).attname
            target = through._meta.get_field(field.m2m_reverse_field_name()).attname
            links[field] = list(
                through.objects.filter(**{f"{field.m2m_field_name()}__guide": guide})
                .order_by("pk")
                .values_list(source, target)
            )
        rows[model] = (list(model.objects.filter(guide=guide)), links)
    return rows


def copy_rows(rows, target, suffix):
    """Copy a snapshot's rows onto `target`; with a suffix (copies on the same guide)
    fields that must be unique per guide are suffixed."""
    blocks = list(rows)
    new_pks = {}  # model → {old pk: new pk}
    for model, (originals, links) in rows.items():
        constrained, unique = _unique_field(model)
        if suffix and constrained and unique is None:
            continue  # e.g. key facts: one per kind and guide
        fks, _ = _block_fields(model, blocks)
        copies = []
        # Copies on the same guide go after its rows: positions are unique.
        after = model.objects.filter(guide=target).count() if suffix else 0
        for index, row in enumerate(originals):
            changes = {"guide": target, "position": after + index if suffix else row.position}
            if suffix and unique is not None:
                changes[unique.attname] = _suffixed(getattr(row, unique.attname), suffix, unique)
            if suffix:
                changes.update({flag.attname: flag.get_default() for flag in _flags(model)})
            for fk in fks:
                old = getattr(row, fk.attname)
                changes[fk.attname] = new_pks[fk.related_model].get(old) if old else None
            copies.append(_copy(row, **changes))
        model.objects.bulk_create(copies)
        new_pks[model] = {old.pk: new.pk for old, new in zip(originals, copies, strict=True)}
        for field, pairs in links.items():
            through = field.remote_field.through
            source = through._meta.get_field(field.m2m_field_name()).attname
            target_attr = through._meta.get_field(field.m2m_reverse_field_name()).attname
            mapped = new_pks.get(field.related_model)  # None: links to shared rows stay
            through.objects.bulk_create(
                through(
                    **{
                        source: new_pks[model][a],
                        target_attr: mapped[b] if mapped is not None else b,
                    }
                )
                for a, b in pairs
            )


@transaction.atomic
def multiply_rows(guide, factor):
    """Grow `guide` to `factor` times its rows (key facts stay one per kind)."""
    rows = snapshot(guide)
    for k in range(2, factor + 1):
        copy_rows(rows, guide, f" #{k}")
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
        copy_rows(rows, clone, "")
        clones.append(clone)
    guides_changed()
    return clones


def fill(slug, scale, shape):
    """Empty the database, load the starter content and grow guide `slug` to `scale`."""
    call_command("flush", interactive=False, verbosity=0)
    starter.load()  # the bench's one use of the starter loader
    guide = Guide.objects.get(slug=slug)
    if shape == "large":
        multiply_rows(guide, scale)
    else:
        clone_guides(guide, scale - 1)
