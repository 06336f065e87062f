from django.apps import AppConfig


class SalariesConfig(AppConfig):
    name = "salaries"
    verbose_name = "Salaries"

    def ready(self):
        from roadmaps.signals import watch_blocks, watch_shared

        from .models import Grade, SalaryFigure, Source

        watch_blocks(SalaryFigure)
        watch_shared(Grade, Source)
