from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "lejek.contacts"
    label = "contacts"
