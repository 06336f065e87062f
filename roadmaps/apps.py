from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RoadmapsConfig(AppConfig):
    name = "roadmaps"
    verbose_name = "Guides"

    def ready(self):
        from . import permissions, signals

        signals.connect()
        post_migrate.connect(permissions.grant_editor_permissions, dispatch_uid="editors-perms")
