from django.urls import path

from lejek.forecasting import views

app_name = "forecasting"
urlpatterns = [
    path("", views.forecast, name="forecast"),
    path("save/", views.save, name="save"),
    path("export/<str:table>.<str:fmt>", views.export, name="export"),
]
