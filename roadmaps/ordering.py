"""Editor-controlled order: positions unique and gapless within their group.

Every ordered model (a guide's blocks, figures and stories within their guide;
guides, regions, grades and site pages among themselves; countries within
their region) carries a `position` from 0 with no gaps, and the database holds
it unique within the group. Editors set an order by dragging rows (in a guide's
inline rows and in the change lists, `static/admin-ext/ordering.js`) or by
typing a number: either way the number is a wish ("put this row here"), and
`arrange()` turns the wishes of one save into final positions for the whole
group.

Writing a new order row by row would collide with the unique constraint in
mid-swap (A takes 1 while B still holds it). `position` is unsigned, so rows
cannot step aside to negative numbers: they are *parked* instead, moved to
`PARK` + their old position in one UPDATE, which never collides (old positions
are below `PARK`, parked ones above it). The caller then saves its rows with
their final positions, and `Plan.finish()` saves the other rows that moved.
Every final write is an ordinary `save()`, so it leaves a revision, invalidates
caches after commit and goes through the same checks as any edit. Parking is an
UPDATE inside the same transaction: nobody ever sees a parked row.
"""

from collections import defaultdict

from django.apps import apps
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F

# Positions stay below PARK; a parked row sits at PARK + its old position.
# PositiveSmallIntegerField holds up to 32,767, so both ranges fit.
PARK = 10_000
LAST = PARK - 1

HELP = (
    "Lower numbers come first. Drag a row by its handle, or type where it goes; "
    "the others move along. Leave empty to put a new row last."
)


def position_field(help_text=HELP):
    """The `position` of an ordered model. Empty means "last", filled in on save."""
    return models.PositiveSmallIntegerField(
        "order",
        blank=True,
        validators=[MaxValueValidator(LAST)],
        help_text=help_text,
    )


def unique_position(name, within=None, what="row"):
    """The database rule: one row per position within the group."""
    fields = [within, "position"] if within else ["position"]
    where = f" of this {within}" if within else ""
    return models.UniqueConstraint(
        fields=fields,
        name=name,
        violation_error_message=f"Another {what}{where} already has this order number; "
        "save again to move the rows along.",
    )


class Ordered:
    """Mixin for ordered models: `order_within` names the group's foreign key
    (None: the whole table is one group). A row saved without a position goes last."""

    order_within = None

    def save(self, *args, **kwargs):
        if self.position is None:
            taken = group(type(self), group_value(self)).values_list("position", flat=True)
            self.position = max((p % PARK + 1 for p in taken), default=0)
        super().save(*args, **kwargs)


def ordered_models():
    return [m for m in apps.get_models() if issubclass(m, Ordered)]


def is_ordered(model):
    return issubclass(model, Ordered)


def group_value(obj):
    within = type(obj).order_within
    return getattr(obj, f"{within}_id") if within else None


def group(model, value):
    queryset = model._default_manager.all()
    return (
        queryset.filter(**{f"{model.order_within}_id": value}) if model.order_within else queryset
    )


class Plan:
    """The final positions of one save, with the rows that still need writing."""

    def __init__(self):
        self.finals = {}  # (model, group value) -> {pk or id(instance): final}
        self.instances = {}  # id(instance) -> instance, for rows without a pk yet

    def finish(self):
        """Save every row of the planned groups whose stored position is not
        its final one (rows the caller did not save, and parked ones)."""
        for (model, value), finals in self.finals.items():
            pk_finals = {}
            for ref, final in finals.items():
                instance = self.instances.get(ref)
                pk = instance.pk if instance is not None else ref
                if pk is not None:
                    pk_finals[pk] = final
            stored = dict(group(model, value).values_list("pk", "position"))
            wrong = [pk for pk, final in pk_finals.items() if stored.get(pk, final) != final]
            for obj in model._default_manager.filter(pk__in=wrong):
                obj.position = pk_finals[obj.pk]
                obj.save()


def arrange(wanted=(), deleting=(), groups=()):
    """Plan the order of the groups touched by one save, and park what moves.

    `wanted`: [(instance, requested position or None)] for the rows being saved,
    in the order the editor gave them (None: keep its place, or last if new).
    `deleting`: instances about to be deleted. `groups`: extra (model, value)
    groups to close gaps in. Sets each wanted instance's `position` to its
    final value; the caller saves them (and deletes), then calls `finish()`.
    """
    plan = Plan()
    by_group = defaultdict(list)
    for instance, requested in wanted:
        by_group[(type(instance), group_value(instance))].append((instance, requested))
    doomed = defaultdict(set)
    for instance in deleting:
        if instance.pk is not None:
            doomed[(type(instance), group_value(instance))].add(instance.pk)
    for key in [*doomed, *groups]:
        by_group.setdefault(key, [])
    for (model, value), rows in by_group.items():
        _plan_group(plan, model, value, rows, doomed[(model, value)])
    return plan


def _plan_group(plan, model, value, rows, doomed):
    # A parked row counts from its old place, so a row restored by a revert
    # sits where it was before the rows parked around it.
    stored = {pk: pos % PARK for pk, pos in group(model, value).values_list("pk", "position")}
    saving = {instance.pk for instance, _ in rows if instance.pk is not None}
    entries = []  # (wish, rank, order given, ref)
    for given, (instance, requested) in enumerate(rows):
        if requested is None:
            requested = stored.get(instance.pk, LAST + 1)
        ref = instance.pk if instance.pk is not None else id(instance)
        plan.instances[ref] = instance
        # At a tie the row the editor placed goes first: it was put there.
        entries.append((requested, 0, given, ref))
    for pk, position in stored.items():
        if pk not in saving and pk not in doomed:
            entries.append((position, 1, pk, pk))
    entries.sort()
    finals = {ref: index for index, (_, _, _, ref) in enumerate(entries)}
    plan.finals[(model, value)] = finals
    raw = dict(group(model, value).values_list("pk", "position"))
    moving = [pk for pk, pos in raw.items() if pk in doomed or finals.get(pk, pos) != pos]
    if moving:
        # Only rows below PARK move up, so a parked row is never parked twice.
        group(model, value).filter(pk__in=moving, position__lt=PARK).update(
            position=F("position") + PARK
        )
    for instance, _ in rows:
        instance.position = finals[instance.pk if instance.pk is not None else id(instance)]


def close_gaps(*objs):
    """Renumber the groups of `objs` (after a delete, say) from 0 without gaps."""
    plan = arrange(groups={(type(o), group_value(o)) for o in objs})
    plan.finish()


def park_groups(keys):
    """Park every row of the given (model, value) groups, e.g. before a revert
    writes back positions from an older version."""
    for model, value in keys:
        group(model, value).filter(position__lt=PARK).update(position=F("position") + PARK)


def renumber_operation(*specs):
    """A migration step that renumbers existing rows from 0 without gaps or
    ties (by position, then id) before the unique rule is added. `specs` are
    (app label, model name, group field or None)."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        for app_label, model_name, within in specs:
            model = apps.get_model(app_label, model_name)
            rows = model._default_manager.order_by(*([within] if within else []), "position", "pk")
            counters = defaultdict(int)
            for pk, value in rows.values_list("pk", f"{within}_id" if within else "pk"):
                key = value if within else None
                model._default_manager.filter(pk=pk).update(position=PARK + counters[key])
                counters[key] += 1
            model._default_manager.update(position=F("position") - PARK)

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)
