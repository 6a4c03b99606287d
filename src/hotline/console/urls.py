from django.urls import path

from hotline.console.views import home, intake, lists, routing, routing_report, ticket

app_name = "console"

urlpatterns = [
    path("", home.home, name="home"),
    path("intake/", intake.intake, name="intake"),
    path("console/caller-history/", home.caller_history, name="caller-history"),
    path("console/export/<slug:table>/", home.home_export, name="home-export"),
    path("tickets/", lists.ticket_list, name="ticket-list"),
    path("tickets/<str:number>/", ticket.ticket_detail, name="ticket"),
    path("tickets/<str:number>/act/<slug:action>/", ticket.ticket_action, name="ticket-action"),
    path("console/routing/report/", routing_report.acceptance_report, name="routing-report"),
    path("console/routing/intake/", routing.intake_suggest, name="routing-intake"),
    path(
        "console/routing/tickets/<str:number>/units/",
        routing.dispatch_suggest,
        name="routing-dispatch",
    ),
]
