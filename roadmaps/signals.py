"""Keep each guide's `content_changed_at` true: any save or delete of a row shown
on a guide's page moves it. This is the only job signals do in this project:
it is what invalidates caches, ETags and sitemap dates. The dates move inside
the editor's transaction; the content stamp moves after it commits.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from . import stamp
from .models import Guide


def guides_changed(guide_ids=None):
    """Mark guides as changed and invalidate cached pages; `None` means every
    guide (a shared row changed). Call it after bulk writes too."""
    if guide_ids is None:
        Guide.touch(list(Guide.objects.values_list("pk", flat=True)))
    else:
        Guide.touch(guide_ids)
    stamp.bump()


def _invalidate_pages(sender, instance, raw=False, **kwargs):
    stamp.bump()


def _block_changed(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: the loader marks guides itself
        return
    guides_changed([instance.guide_id])


def _shared_row_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        guides_changed()


def _m2m_changed(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        guides_changed([getattr(instance, "guide_id", None)])


def _connect(handler, models, uid):
    """Call `handler` after every save and delete of each of `models`."""
    for model in models:
        post_save.connect(handler, sender=model, dispatch_uid=f"{uid}-save-{model.__name__}")
        post_delete.connect(handler, sender=model, dispatch_uid=f"{uid}-del-{model.__name__}")


def watch_blocks(*models):
    """Connect block models: rows that carry a `guide` foreign key."""
    _connect(_block_changed, models, "block")


def watch_shared(*models):
    """Connect rows shared by every guide (regions, countries, grades, sources)."""
    _connect(_shared_row_changed, models, "shared")


def watch_pages(*models):
    """Connect rows that change pages but no guide's content (the guide itself,
    whose save() moves its own date; site pages). Their `content_changed_at`
    is what the content stamp is derived from."""
    _connect(_invalidate_pages, models, "page")
    for model in models:
        stamp.register(model)


def watch_m2m(*through_models):
    for through in through_models:
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"m2m-{through.__name__}")


def connect():
    """Watch every block in the registry, with its many-to-many links, and the
    rows shared by every guide. Apps add their own shared rows (`watch_shared`)."""
    from . import models as m
    from .blocks import block_models

    for model in block_models():
        watch_blocks(model)
        watch_m2m(*(field.remote_field.through for field in model._meta.many_to_many))
    watch_shared(m.Region, m.Country, m.Person, m.Reference)
    watch_pages(m.Guide)
