"""Editors' help texts reach the admin as HTML (Django does not escape them), so
a text in angle brackets vanishes: "Readers see 'Source: <publisher>, <date>'"
showed as "Source: , "."""

from django.apps import apps

OUR_APPS = {"roadmaps", "salaries", "stories", "careerguide", "workflow"}


def test_no_help_text_holds_angle_brackets():
    found = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        for field in model._meta.get_fields()
        if "<" in str(getattr(field, "help_text", "") or "")
    ]
    assert found == []


def test_the_sources_help_text_names_what_readers_see():
    from roadmaps.models import FAQ

    text = str(FAQ._meta.get_field("sources").help_text)
    assert "publisher and date" in text
