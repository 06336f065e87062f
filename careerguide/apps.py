from django.apps import AppConfig


class CareerguideConfig(AppConfig):
    name = "careerguide"
    verbose_name = "Career Guide site"
