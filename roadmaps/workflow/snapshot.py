"""Snapshots of an object's rows, and applying them to the live tables.

A draft covers one object and the rows edited with it: a guide and its inline
blocks (the registry's `inline` blocks), or a single story, figure or site
page, each with its many-to-many links. `capture()` serializes those rows as
they are now (inside the rolled-back transaction where the editor's form was
saved), and records which rows are new and which were deleted. `apply()` writes
a snapshot to the live tables: it inserts new rows under fresh ids (ids given
inside a rolled-back transaction may be handed out again), updates the others
and deletes the removed ones.

Conflicts are found by comparing each row's own hash (`row_hash`: its fields
and links, without timestamps) with the hash it had when the draft started;
`content_changed_at` is no use, since it moves whenever any block is saved.
"""

import hashlib
import json

from django.apps import apps
from django.core import serializers

from roadmaps import ordering
from roadmaps.blocks import accessor, block_models

# Moved by every save of anything on the page, so never part of a row's version.
VOLATILE = {"created_at", "updated_at", "content_changed_at"}


def key(obj):
    return f"{obj._meta.label_lower}:{obj.pk}"


def rows_of(obj):
    """The object and every row edited with it, parents first."""
    rows = [obj]
    if obj._meta.label == "roadmaps.Guide" and obj.pk:
        for model in block_models(inline=True):
            rows += list(getattr(obj, accessor(model)).all())
    return rows


def _serialize(rows):
    return json.loads(serializers.serialize("json", rows))


def row_hash(data):
    """A row's version: a hash of its fields and links, without timestamps."""
    fields = {k: v for k, v in data["fields"].items() if k not in VOLATILE}
    text = json.dumps([data["model"], fields], sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def live_hashes(obj):
    """{row key: hash} of the object's rows as they are in the database now."""
    if obj is None or obj.pk is None:
        return {}
    return {f"{d['model']}:{d['pk']}": row_hash(d) for d in _serialize(rows_of(obj))}


def capture(obj, live_keys):
    """The snapshot (JSON text) of `obj`'s rows as they are now in this
    transaction. `live_keys` are the keys of the rows that exist live: the rest
    are new, and live rows no longer present were deleted."""
    data = _serialize(rows_of(obj))
    keys = {f"{d['model']}:{d['pk']}" for d in data}
    for d in data:
        d["new"] = f"{d['model']}:{d['pk']}" not in live_keys
    deleted = sorted(set(live_keys) - keys)
    return json.dumps({"root": key(obj), "rows": data, "deleted": deleted})


def load(text):
    return json.loads(text)


def touched_keys(snapshot):
    """Keys of the live rows the snapshot changes or deletes."""
    return {f"{d['model']}:{d['pk']}" for d in snapshot["rows"] if not d["new"]} | set(
        snapshot["deleted"]
    )


def changed_rows(snapshot, base):
    """Rows changed live since the draft started: [(key, 'changed'|'deleted'|'added')].
    'added' is a live row of the object that the draft does not know about."""
    root_label, root_pk = snapshot["root"].rsplit(":", 1)
    model = apps.get_model(root_label)
    root = model._default_manager.filter(pk=root_pk).first()
    now = live_hashes(root)
    conflicts = []
    for row_key, old in base.items():
        if row_key not in now:
            conflicts.append((row_key, "deleted"))
        elif now[row_key] != old:
            conflicts.append((row_key, "changed"))
    for row_key in now.keys() - base.keys():
        conflicts.append((row_key, "added"))
    return sorted(conflicts)


def describe(row_key):
    """'Stage 12: Months 1–3: Foundations' for a row key, or what it was."""
    label, pk = row_key.rsplit(":", 1)
    model = apps.get_model(label)
    obj = model._default_manager.filter(pk=pk).first()
    name = model._meta.verbose_name.capitalize()
    return f"{name}: {obj}" if obj else f"{name} #{pk} (deleted)"


def _instance(model, pk, fields):
    """A model instance from serialized fields. Not the deserializer: it would
    look a new row up by its natural key and quietly update a live row that
    happens to share it; a new row must be inserted (or fail its constraint)."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.name in fields:
            value = fields[field.name]
            values[field.attname] = value if field.is_relation else field.to_python(value)
    instance = model(**values)
    instance.pk = pk
    return instance


def apply(snapshot, new_ids=None):
    """Write the snapshot to the live tables (the caller holds the transaction).
    Returns the root object as saved; `new_ids`, when given, is filled with
    {snapshot key: id given now} for every row (new rows get fresh ids).
    Normal saves: the models' own save logic (slug redirects, dates) and the
    invalidation signals run as for any edit.

    Positions: the draft's rows bring the order they had when it was saved,
    which may cross the live rows' numbers (a swap, or rows the draft does not
    cover, such as the other stories of its guide). Each group is parked before
    its first row is written, and settled at the end with the draft's rows
    first at a tie (`roadmaps.ordering`)."""
    new_ids = {} if new_ids is None else new_ids  # snapshot key -> pk as saved
    saved = []
    parked = set()
    for label_pk in snapshot["deleted"]:
        label, pk = label_pk.rsplit(":", 1)
        apps.get_model(label)._default_manager.filter(pk=pk).delete()
    for data in snapshot["rows"]:
        model = apps.get_model(data["model"])
        fields = dict(data["fields"])
        m2m = {}
        for field in model._meta.many_to_many:
            m2m[field.name] = fields.pop(field.name, [])
        for field in model._meta.concrete_fields:
            if field.is_relation and field.name in fields and fields[field.name] is not None:
                target = f"{field.related_model._meta.label_lower}:{fields[field.name]}"
                fields[field.name] = new_ids.get(target, fields[field.name])
        instance = _instance(model, None if data["new"] else data["pk"], fields)
        if ordering.is_ordered(model):
            group = (model, ordering.group_value(instance))
            if group not in parked:
                ordering.park_groups([group])
                parked.add(group)
        instance.save()
        new_ids[f"{data['model']}:{data['pk']}"] = instance.pk
        saved.append((instance, model, m2m))
    for instance, model, m2m in saved:
        for name, values in m2m.items():
            target = model._meta.get_field(name).related_model._meta.label_lower
            getattr(instance, name).set([new_ids.get(f"{target}:{v}", v) for v in values])
    if parked:
        placed = [(i, i.position) for i, model, _ in saved if ordering.is_ordered(model)]
        ordering.arrange(placed, groups=parked).finish()
    return saved[0][0] if saved else None
