from django.conf import settings
from django.http import QueryDict
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from hotline.core.api import has_nul
from hotline.core.error_codes import CoreErrorCode
from hotline.core.views import error_json, error_page, is_api_path

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
    in the contract's error format for the API and as the platform's error page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = is_api_path(request.path)
        malformed = "\x00" in request.path or has_nul(dict(request.GET.lists()))
        # Pages only: the API reads its body itself (core.api.PlatformParser checks it), and
        # parsing a multipart body here would leave it unreadable there (a 500).
        if (
            not malformed
            and not api
            and request.method == "POST"
            and request.content_type in FORM_TYPES
        ):
            malformed = has_nul(dict(request.POST.lists()))
        if malformed:
            message = _("请求中含有不允许的空字符（NUL）")
            if api:
                return error_json(CoreErrorCode.INVALID_INPUT, message, status=422)
            # the error page, without the NUL: it would be echoed in the language form's
            # "next" field (request.get_full_path) and the page must not fail on it
            request.path = request.path_info = request.path.replace("\x00", "")
            request.META["QUERY_STRING"] = ""
            request.GET = QueryDict()
            return error_page(request, status=400, message=message)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """``Content-Security-Policy`` (settings.CONTENT_SECURITY_POLICY) on every answer that does
    not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy:
            response.headers.setdefault("Content-Security-Policy", policy)
        return response
