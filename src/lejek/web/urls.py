from django.contrib.auth import views as auth_views
from django.urls import path

from lejek.web import views

app_name = "web"

login_view = auth_views.LoginView.as_view(
    template_name="web/login.html", redirect_authenticated_user=True
)

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health", views.health, name="health"),
]
