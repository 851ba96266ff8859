from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "lejek.demo"
    label = "demo"
