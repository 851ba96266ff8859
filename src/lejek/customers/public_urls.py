"""Public booking pages (no login): include at "book/" with namespace "booking"."""

from django.urls import path

from lejek.customers import public_views

app_name = "booking"

urlpatterns = [
    path("done/<str:token>/", public_views.booking_done, name="done"),
    path("ics/<str:token>/", public_views.booking_ics, name="ics"),
    path("<slug:slug>/", public_views.booking_page, name="page"),
]
