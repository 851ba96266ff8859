from django.apps import AppConfig


class PipelinesConfig(AppConfig):
    name = "lejek.pipelines"
    label = "pipelines"
