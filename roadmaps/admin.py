"""Admin for guides and their blocks: one guide page holds every block inline.

Guides are registered with reversion following their inline rows, so reverting
a guide restores its stages, resources, skills, facts, comparisons, myths and FAQ too.

Stage resources: Django's admin has no nested inlines, so a stage's resources
are not rows inside the stage's row. They are an inline group of their own on
the guide's form, right after the stages, each naming its stage from a list of
that guide's stages only; edited there, they are part of the guide's drafts,
review and history like every other block. Their own list (Resources) filters
them by guide and stage and recovers deleted rows; its form takes the guide
from the stage, so a resource can never point at another guide's stage.
"""

import reversion
from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from . import ordering
from .admin_base import ContentAdmin, OrderedModelForm, preview_link, publish, unpublish
from .admin_sections import SectionedFormMixin
from .blocks import accessor, block_models
from .models import (
    FAQ,
    SOURCE_OR_ESTIMATE,
    Background,
    Comparison,
    Country,
    Guide,
    KeyFact,
    LanguageOption,
    MarketInsight,
    Myth,
    Person,
    Reference,
    Region,
    Resource,
    Skill,
    SlugRedirect,
    Stage,
    StarterContent,
)
from .workflow.admin import DraftAdminMixin

# The guide follows its inline rows (the registry's inline blocks); each block
# is registered on its own too, so that a deleted block can be recovered from
# its own admin list.
INLINE_BLOCKS = block_models(inline=True)
reversion.register(Guide, follow=[accessor(model) for model in INLINE_BLOCKS])
reversion.register(Region, follow=["countries"])
# Old guide addresses too: a deleted redirect is recoverable, not a lost URL.
for model in [*INLINE_BLOCKS, Country, Person, Reference, SlugRedirect]:
    reversion.register(model)


class BlockInline(admin.StackedInline):
    extra = 0
    classes = ["collapse"]
    fk_name = "guide"


class StageInline(BlockInline):
    model = Stage
    fields = [("month_from", "month_to", "open_ended", "position"), "title", "description",
              "steps", "skills"]  # fmt: skip
    autocomplete_fields = ["skills"]


def _offer_stages(form_class, stages):
    """Limit a resource form's stage select to `stages`, without add/change
    links (stages are edited on the guide's form, where a new one is a draft
    too). `form_class` is made anew for each request by the admin."""
    formfield = form_class.base_fields.get("stage")
    if formfield is None:
        return form_class
    formfield.queryset = stages  # the admin's widget wrapper passes the choices on
    for flag in ("can_add_related", "can_change_related", "can_view_related"):
        setattr(formfield.widget, flag, False)
    return form_class


def close_resource_gaps(guide_ids):
    """Renumber the guides' resources from 0: those deleted along with their
    stage (CASCADE) leave gaps that no form's order wishes saw."""
    groups = {(Resource, pk) for pk in guide_ids if pk}
    if groups:
        ordering.arrange(groups=groups).finish()


class ResourceFormSet(BaseInlineFormSet):
    def save_existing(self, form, obj, commit=True):
        # A stage deleted in this same save took its resources with it (CASCADE):
        # saving one of their rows again would insert it, pointing at no stage.
        if not Resource.objects.filter(pk=obj.pk).exists():
            return obj
        return super().save_existing(form, obj, commit)


class ResourceInline(admin.TabularInline):
    """A guide's resources, a row each, each in one of the guide's own stages."""

    model = Resource
    formset = ResourceFormSet
    extra = 0
    classes = ["collapse"]
    fk_name = "guide"
    fields = ["stage", "title", "url", "kind", "is_free", "note", "position"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        stages = Stage.objects.filter(guide=obj) if obj and obj.pk else Stage.objects.none()
        _offer_stages(formset.form, stages)
        return formset


class SkillInline(admin.TabularInline):
    model = Skill
    extra = 0
    classes = ["collapse"]
    fields = ["name", "kind", "description", "position"]


class SourcedForm(OrderedModelForm):
    """A key fact or market note: it cites a source or is the editors' estimate.
    A database rule cannot see the many-to-many sources, so the form checks it
    (and the content tests and "Needs attention" check the stored rows)."""

    def clean(self):
        cleaned = super().clean()
        sources = cleaned.get("sources")
        # New and edited rows: an untouched older row does not stop an edit
        # elsewhere on the guide's form ("Needs attention" lists it instead).
        changed = self.instance.pk is None or self.has_changed()
        if changed and "sources" in self.fields and not sources and not cleaned.get("is_estimate"):
            # Beside the sources box, where the fix goes; the summary links to it.
            self.add_error("sources", SOURCE_OR_ESTIMATE)
        return cleaned


class KeyFactInline(admin.StackedInline):
    model = KeyFact
    form = SourcedForm
    extra = 0
    classes = ["collapse"]
    fk_name = "guide"
    fields = [("kind", "label", "position"), "text", ("min_months", "max_months"),
              ("sources", "is_estimate")]  # fmt: skip
    autocomplete_fields = ["sources"]


class ComparisonInline(BlockInline):
    model = Comparison
    fields = [("related_name", "related_guide", "position"), "points"]
    autocomplete_fields = ["related_guide"]


class MythInline(BlockInline):
    model = Myth
    fields = ["myth", "reality", "position"]


class FAQInline(BlockInline):
    model = FAQ
    fields = ["question", "answer", ("sources", "is_estimate"), ("see_also", "position")]
    autocomplete_fields = ["sources"]


class MarketInsightInline(BlockInline):
    model = MarketInsight
    form = SourcedForm
    fields = [("region", "position"), "text", ("sources", "is_estimate")]
    autocomplete_fields = ["sources"]


class BackgroundInline(BlockInline):
    model = Background
    fields = [("name", "position"), "skills"]
    autocomplete_fields = ["skills"]


class LanguageOptionInline(admin.TabularInline):
    model = LanguageOption
    extra = 0
    classes = ["collapse"]
    fields = ["name", "skills", "position"]
    autocomplete_fields = ["skills"]


@admin.register(Guide)
class GuideAdmin(SectionedFormMixin, DraftAdminMixin, ContentAdmin):
    """The guide's form carries every inline block, so one save is one revision."""

    list_display = ["name", "is_published", "is_featured", "reviewed_on", "content_changed_at",
                    "position"]  # fmt: skip
    list_editable = ["position"]
    list_filter = ["is_published", "is_featured"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["preview", "created_at", "updated_at", "content_changed_at"]
    autocomplete_fields = ["reviewed_by"]
    actions = [publish, unpublish]
    fieldsets = [
        (None, {"fields": ["name", "slug", "headline", "intro", "is_published", "is_featured",
                           "position", "preview"]}),
        ("Review", {"fields": ["reviewed_on", "reviewed_by"]}),
        ("Search engines", {"fields": ["seo_title", "seo_description", "onet_code",
                                       "isco_code"]}),
        ("Section introductions", {"fields": ["salary_intro", "salary_caveat", "path_intro",
                                              "skills_intro", "stories_intro", "market_intro",
                                              "cta_text"]}),
        ("Personalized plan", {"fields": ["hours_per_week", "plan_min_months",
                                          "plan_max_months"]}),
        ("History", {"fields": ["created_at", "updated_at", "content_changed_at"],
                     "classes": ["collapse"]}),
    ]  # fmt: skip
    inlines = [StageInline, ResourceInline, SkillInline, KeyFactInline, ComparisonInline,
               MythInline, FAQInline, MarketInsightInline, BackgroundInline,
               LanguageOptionInline]  # fmt: skip

    @admin.display(description="Preview")
    def preview(self, obj):
        if link := self.draft_preview_link():
            return link
        return preview_link("guide_preview", obj.slug) if obj.pk else "Save first."

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        close_resource_gaps([form.instance.pk])


class BlockAdmin(ContentAdmin):
    """A block's own list, beside the guide's inline: filter by guide, reorder in place.

    A block of a live guide is live: an editor changes it as part of the guide's
    draft, so its own form, list edits and deletes refuse an editor (403) while
    review is required (`ContentAdmin`, `roadmaps.workflow.enforce`)."""

    list_editable = ["position"]
    list_filter = ["guide"]
    # Unlike the guide's form, a block's own form writes the live row directly.
    review_change_form = True

    def __init_subclass__(cls, **kwargs):
        # Each block list names its own columns; the guide and order come last.
        super().__init_subclass__(**kwargs)
        cls.list_display = [*cls.list_display, "guide", "position"]


@admin.register(Skill)
class SkillAdmin(BlockAdmin):
    list_display = ["name", "kind"]
    list_filter = ["guide", "kind"]
    search_fields = ["name"]


@admin.register(Stage)
class StageAdmin(BlockAdmin):
    list_display = ["title", "months_label"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["skills"]

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        close_resource_gaps([obj.guide_id])

    def delete_queryset(self, request, queryset):
        guide_ids = set(queryset.values_list("guide_id", flat=True))
        super().delete_queryset(request, queryset)
        close_resource_gaps(guide_ids)


@admin.register(Resource)
class ResourceAdmin(BlockAdmin):
    """Every guide's resources in one list, by guide and stage. The form takes
    the guide from the stage: it has no guide box to contradict it."""

    list_display = ["title", "stage", "kind", "is_free"]
    list_filter = ["guide", "stage", "kind", "is_free"]
    list_select_related = ["stage", "guide"]
    search_fields = ["title", "url", "note"]
    fields = ["stage", "title", "url", "kind", "is_free", "note", "position"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        stages = Stage.objects.select_related("guide")
        # A resource stays in its guide: the guide's order numbers are its own.
        if obj is not None and obj.guide_id:
            stages = stages.filter(guide_id=obj.guide_id)
        _offer_stages(form, stages)
        if "stage" in form.base_fields:
            form.base_fields["stage"].label_from_instance = lambda stage: f"{stage.guide}: {stage}"
        return form


@admin.register(Background)
class BackgroundAdmin(BlockAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    autocomplete_fields = ["skills"]


@admin.register(FAQ)
class FAQAdmin(BlockAdmin):
    list_display = ["question", "is_estimate"]
    list_filter = ["guide", "is_estimate"]
    search_fields = ["question", "answer"]
    fields = ["guide", "question", "answer", "sources", "is_estimate", "see_also", "position"]
    autocomplete_fields = ["sources"]


@admin.register(Reference)
class ReferenceAdmin(ContentAdmin):
    """The sources key facts, market notes and FAQ answers cite, shared by every
    guide. A change shows on every page that cites it."""

    list_display = ["publisher", "title", "published", "url"]
    search_fields = ["title", "publisher", "url"]
    fields = ["title", "publisher", "published", "url"]


@admin.register(Person)
class PersonAdmin(ContentAdmin):
    list_display = ["name", "role"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class CountryInline(admin.TabularInline):
    model = Country
    extra = 0
    fields = ["name", "code", "position"]


@admin.register(Region)
class RegionAdmin(ContentAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CountryInline]


@admin.register(Country)
class CountryAdmin(ContentAdmin):
    list_display = ["name", "code", "region", "position"]
    list_editable = ["position"]
    list_filter = ["region"]
    search_fields = ["name", "code"]


@admin.register(SlugRedirect)
class SlugRedirectAdmin(ContentAdmin):
    """Old guide addresses, with history and recovery like every content model
    (an address deleted by mistake would otherwise answer 404 for good)."""

    list_display = ["old_slug", "guide", "created_at"]
    search_fields = ["old_slug"]
    autocomplete_fields = ["guide"]


@admin.register(StarterContent)
class StarterContentAdmin(admin.ModelAdmin):
    """The load marker: for superusers (operators) only; editors have no use for it."""

    list_display = ["name", "loaded_at"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


from .workflow import admin_lists  # noqa: E402, F401
