"""Django's admin app, with our site as the default `admin.site`."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "careerguide.staff.sites.StaffAdminSite"

    def ready(self):
        super().ready()  # autodiscover: django-otp registers its device admins here
        from .admin import restrict_device_admins

        restrict_device_admins()
