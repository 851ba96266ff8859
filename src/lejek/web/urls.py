from django.contrib.auth import views as auth_views
from django.urls import path

from lejek.web import tag_views, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("account/language/", views.language, name="language"),
    path("search/", views.search, name="search"),
    path("tags/<slug:kind>/<id:pk>/", tag_views.record_tags, name="record-tags"),
    path("pick/organization/", views.pick_organization, name="pick-organization"),
    path("views/", views.saved_view_save, name="saved-view-save"),
    path("views/<id:view_id>/delete/", views.saved_view_delete, name="saved-view-delete"),
    path("health", views.health, name="health"),
]
