from django.urls import path

from hotline.console import views, views_routing

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("intake/", views.intake, name="intake"),
    path("console/caller-history/", views.caller_history, name="caller-history"),
    path("console/export/<slug:table>/", views.home_export, name="home-export"),
    path("tickets/", views.ticket_list, name="ticket-list"),
    path("tickets/<str:number>/", views.ticket_detail, name="ticket"),
    path("tickets/<str:number>/act/<slug:action>/", views.ticket_action, name="ticket-action"),
    path("console/routing/report/", views_routing.acceptance_report, name="routing-report"),
    path("console/routing/intake/", views_routing.intake_suggest, name="routing-intake"),
    path(
        "console/routing/tickets/<str:number>/units/",
        views_routing.dispatch_suggest,
        name="routing-dispatch",
    ),
]
