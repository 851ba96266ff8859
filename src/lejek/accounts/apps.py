from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lejek.accounts"
    label = "accounts"
