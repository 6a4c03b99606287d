from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from hotline.core.api import error_body, has_nul

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class PlatformLocaleMiddleware(LocaleMiddleware):
    """Chinese by default (API.md: the login page is Chinese), whatever the browser asks;
    English only when the user chose it with the language switcher (cookie or URL)."""

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class MalformedRequestMiddleware:
    """A NUL character in the path, the query string or a form field is malformed input: no
    database can store it (PostgreSQL raises, a 500 otherwise). Refused before any view runs,
    in the contract's error format for the API and as a plain page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        malformed = "\x00" in request.path or has_nul(dict(request.GET.lists()))
        if not malformed and request.method == "POST" and request.content_type in FORM_TYPES:
            malformed = has_nul(dict(request.POST.lists()))
        if malformed:
            message = _("请求中含有不允许的空字符（NUL）")
            if request.path.startswith("/api/"):
                body = error_body("invalid_input", str(message))
                return JsonResponse(body, status=422, json_dumps_params={"ensure_ascii": False})
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
