from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = "Stories"

    def ready(self):
        from roadmaps.signals import watch_blocks, watch_m2m

        from .models import Story

        watch_blocks(Story)
        watch_m2m(Story.skills.through)
