"""Who may write live content directly, answered in one place.

With `REVIEW_REQUIRED` on (the default), what the public sees changes only
through a reviewed draft: an editor's write to live content is refused on the
server, whatever path it takes (list edits, actions, imports, reverts, deletes).
Publishers (`roadmaps.publish_draft`) write directly. Content the public cannot
see yet is a draft in all but name, and an editor writes it freely — but making
it visible (ticking "published", moving a block onto a live guide) is a live
write too, so callers check the row as it was and as it will be.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied

from roadmaps import stamp

PUBLISH_PERMISSION = "roadmaps.publish_draft"
MESSAGE = "This is live content: save a draft and submit it for review."


class LiveWriteRefused(PermissionDenied):
    """A write to live content by a user who must go through review."""

    def __init__(self, message=MESSAGE):
        super().__init__(message)


def review_required():
    # getattr: the setting is optional; review is on unless turned off.
    return getattr(settings, "REVIEW_REQUIRED", True)


def can_publish(user):
    """Publishers write live content directly; so does everyone when review is off."""
    return not review_required() or bool(user and user.has_perm(PUBLISH_PERMISSION))


# Models that are public pages of their own (their `is_published` is the whole
# story). The guide is one; the site registers its site pages (careerguide's
# AppConfig), so this app never imports the site.
_page_models = set()


def register_page(model):
    _page_models.add(model)


def is_live(obj):
    """Does the public see this object? A published guide; any block row of a
    published guide (figures and stories only when published themselves); a
    published site page. Other rows (people, regions, grades…) are not reviewed."""
    if obj is None:
        return False
    from roadmaps.blocks import block_models
    from roadmaps.models import Guide

    if isinstance(obj, (Guide, *_page_models)):
        return bool(obj.is_published)
    if isinstance(obj, tuple(block_models())):
        if not getattr(obj, "is_published", True):
            return False
        guide = _guide_of(obj)
        return bool(guide and guide.is_published)
    return False


def _guide_of(block):
    from roadmaps.models import Guide

    if block.guide_id is None:
        return None
    # Read the guide from the database: a cached `guide` may be an in-memory
    # copy another edit of the same request changed.
    return Guide.objects.filter(pk=block.guide_id).only("is_published").first()


def stored(obj):
    """The row as it is in the database now (None for a new or deleted row)."""
    if obj is None or obj.pk is None:
        return None
    return type(obj)._default_manager.filter(pk=obj.pk).first()


def may_write_live(user, obj, *, before=None, check_stored=True):
    """May `user` write `obj` right now? False only when review is required,
    the user is not a publisher, and the row is live as stored (`before`, read
    from the database unless given) or would be live as `obj` now stands.

    Writes inside `services.rolled_back()` (drafts being captured, previews)
    never reach the live tables, so they are always allowed."""
    # The content stamp's "suppressed" flag is the one `rolled_back()` sets.
    if can_publish(user) or stamp._suppressed.get():
        return True
    if check_stored and before is None:
        before = stored(obj)
    return not (is_live(before) or is_live(obj))


def require_write_live(user, obj, **kwargs):
    """Raise `LiveWriteRefused` (a PermissionDenied: the admin answers 403)
    unless `may_write_live`."""
    if not may_write_live(user, obj, **kwargs):
        raise LiveWriteRefused()


# Imports (django-import-export). Each row is checked as it is saved, in both
# the preview (dry run) and the confirmed import; a refused row is reported as a
# row error, which rolls the whole file back, and the admin then answers 403.

_guarded = {}


def guarded_resource(resource_class):
    """A subclass of `resource_class` whose rows are checked with
    `require_write_live` against the importing user before they are saved or
    deleted. The admin passes `user=request.user` to `import_data`."""
    if resource_class not in _guarded:

        class Guarded(resource_class):
            def before_save_instance(self, instance, row, **kwargs):
                require_write_live(kwargs.get("user"), instance)
                super().before_save_instance(instance, row, **kwargs)

            def before_delete_instance(self, instance, row, **kwargs):
                require_write_live(kwargs.get("user"), instance)
                super().before_delete_instance(instance, row, **kwargs)

        Guarded.__name__ = Guarded.__qualname__ = resource_class.__name__
        _guarded[resource_class] = Guarded
    return _guarded[resource_class]


def refuse_if_any_row_refused(result):
    """Raise `LiveWriteRefused` when an import result holds a refused row."""
    if result is None:
        return
    for _number, errors in result.row_errors():
        if any(isinstance(error.error, LiveWriteRefused) for error in errors):
            raise LiveWriteRefused(
                "This file changes live content: only a publisher can import it. "
                "Save the changes as drafts and submit them for review."
            )
