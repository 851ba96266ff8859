from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "lejek.analytics"
    label = "analytics"
