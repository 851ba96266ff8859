from django.apps import AppConfig


class ForecastingConfig(AppConfig):
    name = "lejek.forecasting"
    label = "forecasting"
