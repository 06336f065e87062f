"""Undo with no gaps: every model the Editors group can change is under
django-reversion, with an admin that offers history and "Recover deleted", and
for each an edit can be reverted and a deletion recovered.

The walk reads the models from the Editors group's change permissions, so a
model added later without history fails here. The only models left out are
listed in `EXEMPT`, each with the README's reason ("What history does not cover").
"""

import pytest
import reversion
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import models
from django.urls import reverse
from pytest_django.asserts import assertContains
from reversion.admin import VersionAdmin
from reversion.models import Version

from careerguide.models import SitePage
from roadmaps.models import (
    FAQ,
    Background,
    Comparison,
    KeyFact,
    LanguageOption,
    MarketInsight,
    Myth,
    Person,
    Resource,
    Skill,
    SlugRedirect,
    Stage,
)
from tests import factories

pytestmark = pytest.mark.django_db

# Models without history, by label, and why (the README says the same).
EXEMPT = {
    "auth.user": "accounts are not content; password hashes must not sit in history",
    "auth.group": "roles are set up by migrations, not edited as content",
    "axes.accessattempt": "lockout records are security bookkeeping",
    "axes.accessfailurelog": "lockout records are security bookkeeping",
    "axes.accesslog": "lockout records are security bookkeeping",
    "otp_totp.totpdevice": "second-factor secrets must never sit in history",
    "otp_static.staticdevice": "second-factor secrets must never sit in history",
    "roadmaps.draft": "drafts are a history of their own (their events)",
    "roadmaps.draftevent": "the review history itself",
    "roadmaps.schedule": "task bookkeeping, changed only through the workflow",
    "roadmaps.startercontent": "the marker that the starter content was loaded",
}


def _guide():
    return factories.guide()


def _region():
    return factories.region()


def _resource():
    guide = _guide()
    stage = Stage.objects.create(
        guide=guide, month_from=1, month_to=3, title="Stage", description="Stage text."
    )
    return Resource.objects.create(
        guide=guide, stage=stage, title="The Python Tutorial", url="https://docs.python.org/3/"
    )


# How to build one fresh row of each model (nothing depends on it, so it can be
# deleted). A model Editors can change and that has no builder fails the walk.
BUILDERS = {
    "roadmaps.guide": lambda: factories.guide(),
    "roadmaps.stage": lambda: Stage.objects.create(
        guide=_guide(),
        month_from=1,
        month_to=3,
        title="Stage",
        description="Stage text.",
        steps="One\nTwo",
    ),
    "roadmaps.resource": _resource,
    "roadmaps.skill": lambda: Skill.objects.create(guide=_guide(), name="Python"),
    "roadmaps.keyfact": lambda: KeyFact.objects.create(
        guide=_guide(), kind="english", label="English Level", text="B1 level"
    ),
    "roadmaps.comparison": lambda: Comparison.objects.create(
        guide=_guide(), related_name="Frontend Developer", points="One\nTwo"
    ),
    "roadmaps.myth": lambda: Myth.objects.create(guide=_guide(), myth="A myth", reality="Real"),
    "roadmaps.faq": lambda: FAQ.objects.create(guide=_guide(), question="Why?", answer="So."),
    "roadmaps.marketinsight": lambda: MarketInsight.objects.create(
        guide=_guide(), region=_region(), text="An insight."
    ),
    "roadmaps.background": lambda: Background.objects.create(guide=_guide(), name="Teacher"),
    "roadmaps.languageoption": lambda: LanguageOption.objects.create(guide=_guide(), name="Go"),
    "roadmaps.region": _region,
    "roadmaps.country": lambda: factories.country(code="ZZ", region=_region()),
    "roadmaps.person": lambda: Person.objects.create(name="Rita Reviewer", slug="rita"),
    "roadmaps.reference": lambda: factories.reference(),
    "roadmaps.slugredirect": lambda: SlugRedirect.objects.create(
        old_slug="old-address", guide=_guide()
    ),
    "salaries.grade": lambda: factories.grade("Walk grade", position=9),
    "salaries.source": lambda: factories.source(),
    "salaries.salaryfigure": lambda: factories.figure(_guide()),
    "stories.story": lambda: factories.story(_guide()),
    "careerguide.sitepage": lambda: SitePage.objects.create(
        slug="walk-page", title="A site page", description="A page.", body="The page's text."
    ),
}


def editors_change_models():
    perms = Group.objects.get(name="Editors").permissions.filter(codename__startswith="change_")
    return sorted(
        {p.content_type.model_class() for p in perms.select_related("content_type")} - {None},
        key=lambda model: model._meta.label_lower,
    )


def walked_models():
    return [m for m in editors_change_models() if m._meta.label_lower not in EXEMPT]


def text_field(model):
    """A field to edit: a text field first (the least constrained), then a
    plain CharField long enough for a suffix, then a slug."""
    fields = [f for f in model._meta.concrete_fields if f.editable and not f.choices]
    for wanted in (models.TextField, models.CharField, models.SlugField):
        for field in fields:
            other = isinstance(field, (models.URLField, models.EmailField))
            slug = isinstance(field, models.SlugField)
            long_enough = (field.max_length or 0) >= 40
            if other or slug != (wanted is models.SlugField) or not isinstance(field, wanted):
                continue
            if wanted is models.TextField or long_enough:
                return field
    raise AssertionError(f"{model._meta.label}: no text field to edit in this test")


def edited(value):
    return f"{value}-edited"  # valid in a slug too


def saved_in_revision(obj, comment):
    with reversion.create_revision():
        obj.save()
        reversion.set_comment(comment)
    return obj


def test_the_walk_covers_the_content_editors_change():
    labels = {m._meta.label_lower for m in walked_models()}
    # Not vacuous: the content of every app, site pages and old addresses included.
    assert {"roadmaps.guide", "roadmaps.stage", "roadmaps.slugredirect", "salaries.salaryfigure",
            "stories.story", "careerguide.sitepage"} <= labels  # fmt: skip


@pytest.mark.parametrize("label", sorted(BUILDERS))
def test_every_builder_is_for_a_model_editors_change(label):
    # A builder for a model no longer edited is a sign the walk drifted.
    assert label in {m._meta.label_lower for m in walked_models()}


def history_parent(model):
    """The admin whose history recovers `model`'s rows: its own, or (for a row
    edited only inline, with no admin of its own) the parent's that follows it."""
    own = admin.site._registry.get(model)
    if own is not None:
        return own if isinstance(own, VersionAdmin) else None
    for parent in admin.site._registry.values():
        inline = {i.model for i in parent.inlines}
        if model in inline and isinstance(parent, VersionAdmin):
            follow = reversion.revisions._get_options(parent.model).follow
            related = {f.get_accessor_name() for f in parent.model._meta.related_objects
                       if f.related_model is model}  # fmt: skip
            if related & set(follow):
                return parent
    return None


def test_every_model_editors_change_has_history_and_recover_views():
    missing = []
    for model in walked_models():
        label = model._meta.label_lower
        if not reversion.is_registered(model):
            missing.append(f"{label}: not under django-reversion")
        elif history_parent(model) is None:
            missing.append(
                f"{label}: no admin offers its history and recovery (base its admin on "
                "roadmaps.admin_base.ContentAdmin, or follow it from its parent's)"
            )
        elif label not in BUILDERS:
            missing.append(f"{label}: add a builder to this test's BUILDERS")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("label", sorted(BUILDERS))
def test_an_edit_is_reverted_and_a_deletion_recovered(label):
    model = next(m for m in walked_models() if m._meta.label_lower == label)
    field = text_field(model)
    obj = saved_in_revision(BUILDERS[label](), "Created")
    original = getattr(obj, field.attname)

    # An edit, then revert the version before it.
    setattr(obj, field.attname, edited(original))
    saved_in_revision(obj, "Edited")
    history = list(Version.objects.get_for_object(obj))
    assert [v.revision.comment for v in history] == ["Edited", "Created"]
    # As the admin reverts: inside a revision, so the revert is a version too.
    with reversion.create_revision():
        history[1].revision.revert(delete=True)
        reversion.set_comment("Reverted")
    obj.refresh_from_db()
    assert getattr(obj, field.attname) == original

    # A deletion, then recover the last version of the deleted row.
    pk = obj.pk
    obj.delete()
    assert not model._base_manager.filter(pk=pk).exists()
    deleted = Version.objects.get_deleted(model).get(object_id=str(pk))
    deleted.revision.revert()
    recovered = model._base_manager.get(pk=pk)
    assert getattr(recovered, field.attname) == original


INLINE_ONLY = ["roadmaps.comparison", "roadmaps.keyfact", "roadmaps.languageoption",
               "roadmaps.marketinsight", "roadmaps.myth"]  # fmt: skip


@pytest.mark.parametrize("label", INLINE_ONLY)
def test_a_row_edited_only_inline_is_recovered_from_its_guides_history(label):
    model = next(m for m in walked_models() if m._meta.label_lower == label)
    assert model not in admin.site._registry  # else it is walked like the others
    parent = history_parent(model)
    row = BUILDERS[label]()
    guide = saved_in_revision(row.guide, "Created")
    pk = row.pk
    row.delete()
    # The guide's revert page reverts the guide's whole revision, its rows included.
    assert parent.model is type(guide)
    Version.objects.get_for_object(guide).get().revision.revert(delete=True)
    assert model._base_manager.filter(pk=pk).exists()


def test_a_deleted_site_page_is_recovered_from_the_admin(publisher_client):
    page = saved_in_revision(
        SitePage(
            slug="about-us",
            title="About us",
            description="Who we are.",
            body="Who we are, in detail.",
        ),
        "Created",
    )
    delete = reverse("admin:careerguide_sitepage_delete", args=[page.pk])
    assert publisher_client.post(delete, {"post": "yes"}).status_code == 302
    assert not SitePage.objects.filter(pk=page.pk).exists()

    recover_list = publisher_client.get(reverse("admin:careerguide_sitepage_recoverlist"))
    assertContains(recover_list, "About us")
    deleted = Version.objects.get_deleted(SitePage).get()
    recover = reverse("admin:careerguide_sitepage_recover", args=[deleted.pk])
    form = publisher_client.get(recover)
    assert form.status_code == 200
    data = {k: v for k, v in form.context["adminform"].form.initial.items() if v is not None}
    done = publisher_client.post(recover, data)
    assert done.status_code == 302, done.context["adminform"].form.errors
    assert SitePage.objects.get(slug="about-us").body == "Who we are, in detail."


def test_an_old_guide_address_is_recoverable_from_its_admin(publisher_client):
    redirect = saved_in_revision(
        SlugRedirect(old_slug="former-name", guide=factories.guide()), "Created"
    )
    redirect.delete()
    page = publisher_client.get(reverse("admin:roadmaps_slugredirect_recoverlist"))
    assertContains(page, "former-name")
    history = publisher_client.get(reverse("admin:roadmaps_slugredirect_changelist"))
    assert history.status_code == 200
