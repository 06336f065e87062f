from django.apps import AppConfig


class SalariesConfig(AppConfig):
    name = "salaries"
    verbose_name = "Salaries"

    def ready(self):
        # Figures are blocks: `roadmaps.blocks` lists them, and its signals
        # watch them. Grades and sources are shared by every guide.
        from roadmaps.signals import watch_shared

        from .models import Grade, Source

        watch_shared(Grade, Source)
