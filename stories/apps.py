from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = "Stories"

    # Stories are blocks: `roadmaps.blocks` lists them, and its signals watch
    # them and their skills.
