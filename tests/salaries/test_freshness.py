"""Stale salary figures: the configured age, and the admin's flag and filter."""

import datetime

import pytest
from django.urls import reverse

from salaries.freshness import first_fresh_year
from salaries.models import SalaryFigure
from tests import factories
from tests.factories import elements


def test_first_fresh_year_follows_the_configured_age():
    today = datetime.date(2026, 11, 29)
    assert first_fresh_year(today, months=18) == 2025  # Dec 2024 + 18 months < Nov 2026
    # Data year 2024 ended in December 2024: 23 months before November 2026.
    assert first_fresh_year(today, months=23) == 2024
    assert first_fresh_year(today, months=22) == 2025
    assert first_fresh_year(today, months=6) == 2026


@pytest.mark.django_db
def test_stale_figures_are_flagged_and_filtered(editor_client, full_guide):
    stale = factories.figure(full_guide, country=factories.country(code="NL"), data_year=2020)
    fresh = SalaryFigure.objects.exclude(pk=stale.pk).get()
    fresh.data_year = datetime.date.today().year
    fresh.save()
    url = reverse("admin:salaries_salaryfigure_changelist")
    response = editor_client.get(url + "?fresh=stale")
    assert list(response.context["cl"].result_list) == [stale]
    # Paths: change links carry the list's filters as their query string.
    links = {dict(a.attributes).get("href", "").split("?")[0] for a in elements(response, "a")}
    assert f"/admin/salaries/salaryfigure/{stale.pk}/change/" in links
    assert f"/admin/salaries/salaryfigure/{fresh.pk}/change/" not in links
    assert elements(response, "img", alt="False")  # the "fresh" column's icon
