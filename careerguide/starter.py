"""The starter content: fill a fresh database from fixtures/starter/, once
(`manage.py load_starter_content`; tests and the bench call `load()`).

The fixtures are `dumpdata --natural-foreign --natural-primary` files: every row
and every reference names its row by a natural key (a guide's slug, a skill's
guide and name, …), never by an id. They are loaded by `loaddata`, in this
order: the rows every guide shares (`SHARED`), then each guide's own row, then
its blocks in the order of `roadmaps.blocks.BLOCKS`, one file per block kind
(`guides/<slug>/<model name>.json`). A stage names skills loaded after it;
`loaddata` resolves such forward references at the end of the load.

Nothing an editor saved is ever loaded over:
- a `StarterContent` marker row records the load; once it exists the command
  does nothing (or fails, with `--strict`), even if editors later emptied tables;
- the load only adds rows: a fixture row whose natural key already exists in the
  database stops it, and nothing is written.

Every loaded row of a model under django-reversion gets a first revision,
"Starter content", so its starter value can be restored after an edit.
"""

from pathlib import Path

import reversion
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from roadmaps.blocks import block_models
from roadmaps.models import Guide, StarterContent
from roadmaps.signals import guides_changed

STARTER_DIR = Path(settings.BASE_DIR) / "fixtures" / "starter"
MARKER = "starter-content-v1"
# Rows shared by every guide (and the site pages), loaded before any guide.
# References (the sources key facts, market notes and FAQ answers cite) come
# before the guides, whose blocks name them.
SHARED = ("regions", "grades", "salary-sources", "people", "references", "site-pages")
# `loaddata` saves rows raw (no auto_now): loaded rows are dated when they are loaded.
DATE_FIELDS = ("created_at", "updated_at", "content_changed_at")


class AlreadyLoaded(CommandError):
    def __init__(self):
        super().__init__(
            "Starter content was loaded before; leaving the database as editors left it."
        )


def fixture_files(directory=STARTER_DIR):
    """Every starter fixture, in load order."""
    directory = Path(directory)
    guides = sorted(path for path in (directory / "guides").iterdir() if path.is_dir())
    blocks = [f"{model._meta.model_name}.json" for model in block_models()]
    for guide in guides:
        unknown = {path.name for path in guide.glob("*.json")} - {"guide.json", *blocks}
        if unknown:
            raise CommandError(
                f"{guide}: {', '.join(sorted(unknown))} names no block in roadmaps.blocks."
            )
    files = [directory / f"{name}.json" for name in SHARED]
    files += [guide / "guide.json" for guide in guides]
    files += [guide / name for name in blocks for guide in guides if (guide / name).exists()]
    return files


class _Loaded:
    """Records the rows `loaddata` inserts; refuses to update one it did not insert."""

    def __init__(self):
        self.rows = {}  # model -> set of pks

    def before_save(self, sender, instance, raw=False, **kwargs):
        if raw and instance.pk is not None and instance.pk not in self.rows.get(sender, ()):
            raise CommandError(
                f"{sender._meta.label} {instance.natural_key()} already exists: the starter "
                "content only loads into a fresh database and never overwrites a row."
            )

    def after_save(self, sender, instance, raw=False, created=False, **kwargs):
        if raw and created:
            self.rows.setdefault(sender, set()).add(instance.pk)


@transaction.atomic
def load(directory=STARTER_DIR):
    """Load the fixtures and set the marker; returns the inserted pks per model."""
    if StarterContent.objects.filter(name=MARKER).exists():
        raise AlreadyLoaded
    files = fixture_files(directory)
    loaded = _Loaded()
    pre_save.connect(loaded.before_save, weak=False, dispatch_uid="starter-before-save")
    post_save.connect(loaded.after_save, weak=False, dispatch_uid="starter-after-save")
    try:
        call_command("loaddata", *map(str, files), verbosity=0)
    finally:
        pre_save.disconnect(dispatch_uid="starter-before-save")
        post_save.disconnect(dispatch_uid="starter-after-save")
    now = timezone.now()
    for model, pks in loaded.rows.items():
        fields = {f.name: now for f in model._meta.concrete_fields if f.name in DATE_FIELDS}
        model._base_manager.filter(pk__in=pks).update(**fields)
    # Raw saves send no change signals: mark the guides and bump the content stamp.
    guides_changed(sorted(loaded.rows.get(Guide, ())))
    save_first_revisions(loaded.rows)
    StarterContent.objects.create(name=MARKER)
    return loaded.rows


STARTER_COMMENT = "Starter content"


def save_first_revisions(rows):
    """One "Starter content" revision per loaded row of a model under reversion,
    read back after the dates were set. One each, not one for the whole load:
    reverting a version reverts its whole revision, and restoring one figure's
    starter value must not restore every other row too. (A guide's revision
    holds its inline rows, as the guide's admin saves do.)"""
    for model, pks in rows.items():
        if not reversion.is_registered(model):
            continue
        for obj in model._base_manager.filter(pk__in=pks).order_by("pk"):
            # manage_manually: nothing but the row (and what it follows) goes in.
            with reversion.create_revision(manage_manually=True):
                reversion.add_to_revision(obj)
                reversion.set_comment(STARTER_COMMENT)
