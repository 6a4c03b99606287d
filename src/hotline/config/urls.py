from django.contrib import admin
from django.urls import include, path

from hotline.config.api import api
from hotline.core.forms import AdminLoginForm

admin.site.login_form = AdminLoginForm  # the login throttle of the staff pages and the API
admin.site.site_header = "驻马店市12345热线平台 管理后台"
admin.site.site_title = "12345热线平台"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("telephony/", include("hotline.telephony.urls")),
    path("", include("hotline.knowledge.urls")),
    path("", include("hotline.analytics.urls")),
    # supervision cases and the evaluation results (/supervision/…)
    path("", include("hotline.supervision.urls")),
    path("", include("hotline.evaluation.urls")),
    # the staff console owns "/" (the role home pages) and /tickets/…; before core
    path("", include("hotline.console.urls")),
    path("", include("hotline.tickets.urls")),
    # Open311 GeoReport v2 (/open311/v2/…), before core
    path("", include("hotline.exchange.urls")),
    path("", include("hotline.core.urls")),
    # the calendar's page at "/" (after the console's home pages, as when core held it)
    path("", include("hotline.calendar.urls")),
]

handler400 = "hotline.core.views.bad_request"
handler403 = "hotline.core.views.permission_denied"
handler404 = "hotline.core.views.page_not_found"
handler500 = "hotline.core.views.server_error"
