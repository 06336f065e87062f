from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RoadmapsConfig(AppConfig):
    name = "roadmaps"
    verbose_name = "Guides"

    def ready(self):
        from . import permissions, signals, stamp

        signals.connect()
        post_migrate.connect(permissions.grant_editor_permissions, dispatch_uid="editors-perms")
        post_migrate.connect(stamp.on_migrate, dispatch_uid="content-stamp")
