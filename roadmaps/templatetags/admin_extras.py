"""Admin template tags for every change form: the error summary and the section
navigation (`roadmaps.admin_sections`), rendered by `templates/admin/change_form.html`."""

from django import template

from roadmaps import admin_sections

register = template.Library()


def _form_target(context):
    # The change form's own id, as Django's change_form.html writes it: its top
    # shows the errors of the whole form.
    opts = context.get("opts")
    return f"{opts.model_name}_form" if opts is not None else "content-main"


@register.inclusion_tag("admin/_error_summary.html", takes_context=True)
def error_summary(context):
    errors = admin_sections.error_summary(
        context.get("adminform"), context.get("inline_admin_formsets"), _form_target(context)
    )
    return {"error_summary": errors}


@register.inclusion_tag("admin/_sections_nav.html", takes_context=True)
def sections_nav(context):
    found = admin_sections.sections(context.get("adminform"), context.get("inline_admin_formsets"))
    shown = found if len(found) >= admin_sections.MIN_SECTIONS else []
    return {"sections": shown}
