from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "lejek.leads"
    label = "leads"
