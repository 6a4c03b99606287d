from django.urls import path

from hotline.calendar import views

urlpatterns = [
    path("", views.home, name="home"),
]
