from django.apps import AppConfig


class SalesopsConfig(AppConfig):
    name = "lejek.salesops"
    label = "salesops"
    verbose_name = "Sales operations"
