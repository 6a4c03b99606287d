from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("analytics/", views.dashboard, name="dashboard"),
    path("analytics/echarts.min.js", views.echarts, name="echarts"),
    path("analytics/alerts/panel/", views.alerts_panel, name="alerts-panel"),
    path("analytics/alerts/<int:alert_id>/close/", views.alert_close, name="alert-close"),
    path("analytics/topics/", views.topics, name="topics"),
    path("analytics/unresolved/", views.unresolved, name="unresolved"),
    path("analytics/reports/", views.reports, name="reports"),
    path("analytics/reports/<int:report_id>/file/", views.report_file, name="report-file"),
]
