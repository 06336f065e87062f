"""Admin for career-transition stories."""

from django.contrib import admin

from .models import Story


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "profession",
        "transition_months",
        "background",
        "is_published",
        "position",
    ]
    list_editable = ["is_published", "position"]
    list_filter = ["profession", "is_published", "background"]
    search_fields = ["first_name", "former_role", "body", "stack"]
    prepopulated_fields = {"slug": ["first_name", "former_role"]}
    autocomplete_fields = ["profession", "background", "skills"]
    readonly_fields = ["created_at", "updated_at"]
