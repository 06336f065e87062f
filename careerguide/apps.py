from django.apps import AppConfig


class CareerguideConfig(AppConfig):
    name = "careerguide"
    verbose_name = "Career Guide site"

    def ready(self):
        from roadmaps.signals import watch_pages

        from .models import SitePage

        # Site pages have no guide; any change invalidates cached pages (footer, sitemap).
        watch_pages(SitePage)
