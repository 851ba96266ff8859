from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "lejek.automation"
    label = "automation"
