"""The form a reader fills in for the personalized plan (a GET form)."""

from django import forms
from django.utils.text import slugify


def key(name):
    """The form value for a named row (background, skill, language)."""
    return slugify(name)[:50] or "x"


class PlanForm(forms.Form):
    background = forms.ChoiceField(label="Your current background")
    skills = forms.MultipleChoiceField(
        label="Skills you already have",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick what you could use at work today, not what you have only read about.",
    )
    hours = forms.IntegerField(
        label="Hours of study per week",
        min_value=5,
        max_value=40,
        help_text="Between 5 and 40.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    region = forms.ChoiceField(label="Where you want to work")
    language = forms.ChoiceField(label="Your first language", widget=forms.RadioSelect)

    def __init__(self, data=None, *, ctx):
        super().__init__(data)
        self.fields["background"].choices = [("", "Choose…")] + [
            (key(b.name), b.name) for b in ctx.backgrounds
        ]
        self.fields["skills"].choices = [(key(s.name), s.name) for s in ctx.technical_skills]
        self.fields["region"].choices = [("", "Choose…")] + [(r.slug, r.name) for r in ctx.regions]
        self.fields["language"].choices = [(key(lang.name), lang.name) for lang in ctx.languages]
        self.fields["hours"].initial = ctx.guide.hours_per_week


def split_skills(values, ctx):
    """Known skill keys, and the values that name no skill of this guide."""
    valid = {key(s.name) for s in ctx.technical_skills}
    known = [v for v in values if v in valid]
    unknown = [v[:40] for v in values if v not in valid][:10]
    return known, unknown
