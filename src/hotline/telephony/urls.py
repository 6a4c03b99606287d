from django.urls import path

from hotline.telephony import views

app_name = "telephony"

urlpatterns = [
    path("bar/", views.call_bar, name="bar"),
    path("bar/state/", views.call_bar_state, name="bar-state"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("wallboard/", views.wallboard, name="wallboard"),
    path("report/", views.report, name="report"),
]
