"""Site-wide views. Each reads its page through one query function in `pages`."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import pages


@require_safe
def home(request):
    guides = pages.home_page()
    featured = next((g for g in guides if g.is_featured), guides[0] if guides else None)
    others = [g for g in guides if g is not featured]
    return render(request, "careerguide/home.html", {"featured": featured, "guides": others})


@require_safe
def guide(request, slug):
    page = pages.guide_page(slug)
    return render(request, "careerguide/guide.html", {"page": page, "guide": page.guide})
