from django.apps import AppConfig


class CareerguideConfig(AppConfig):
    name = "careerguide"
    verbose_name = "Career Guide site"

    def ready(self):
        from django.core.checks import Tags, register

        from roadmaps.signals import watch_pages
        from roadmaps.workflow.enforce import register_page

        from .checks import (
            proxy_without_trusted_proxies,
            secret_key_from_file,
            security_contact,
            staff_two_factor,
        )
        from .models import SitePage

        register(secret_key_from_file, Tags.security, deploy=True)
        register(security_contact, Tags.security, deploy=True)
        register(staff_two_factor, Tags.security, deploy=True)
        register(proxy_without_trusted_proxies, Tags.security, deploy=True)

        # Site pages have no guide; any change invalidates cached pages (footer, sitemap).
        watch_pages(SitePage)
        # A live site page changes only through review, like a guide.
        register_page(SitePage)
