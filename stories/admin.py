"""Admin for career-transition stories: drafts, preview, history and recovery."""

import reversion
from django.contrib import admin

from roadmaps.admin_base import ContentAdmin, preview_link, publish, unpublish
from roadmaps.workflow.admin import DraftAdminMixin

from .models import Story

reversion.register(Story)


@admin.register(Story)
class StoryAdmin(DraftAdminMixin, ContentAdmin):
    list_display = ["__str__", "guide", "transition_months", "year", "background",
                    "is_published", "position"]  # fmt: skip
    list_editable = ["is_published", "position"]
    list_filter = ["guide", "is_published", "background"]
    search_fields = ["first_name", "former_role", "body", "stack"]
    prepopulated_fields = {"slug": ["first_name", "former_role"]}
    autocomplete_fields = ["guide", "background", "skills"]
    readonly_fields = ["preview", "created_at", "updated_at"]
    actions = [publish, unpublish]

    @admin.display(description="Preview")
    def preview(self, obj):
        if link := self.draft_preview_link():
            return link
        if not obj.pk:
            return "Save first (as a draft), then preview it on its guide."
        return preview_link("guide_preview", obj.guide.slug, f"#story-{obj.slug}",
                            "Preview this story on its guide")  # fmt: skip
