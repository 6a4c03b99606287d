from django.urls import path

from hotline.tickets import views_documents

urlpatterns = [
    path(
        "tickets/<str:number>/dossier.docx",
        views_documents.ticket_dossier,
        name="ticket-dossier",
    ),
]
