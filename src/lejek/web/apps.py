from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "lejek.web"
    label = "web"
