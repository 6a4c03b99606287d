from django.contrib.auth import views as auth_views
from django.urls import path

from hotline.core import views
from hotline.core.forms import LoginForm, LoginView

urlpatterns = [
    path(
        "login/",
        LoginView.as_view(
            template_name="core/login.html",
            redirect_authenticated_user=True,
            authentication_form=LoginForm,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
]
