from django.apps import AppConfig


class DataioConfig(AppConfig):
    name = "lejek.dataio"
    label = "dataio"
