"""The request of a signed-in staff member, as the type checker sees it (issue 13 item 4).

Django types ``request.user`` as ``User | AnonymousUser``. A page behind ``login_required`` /
``staff_required`` and an API operation behind the API's authentication (``api_auth``: a 401
answers before the operation runs) only ever see a signed-in ``User``; annotating the request
as ``AuthedRequest`` says so once, instead of a narrowing assertion in every view. It is a
plain ``HttpRequest`` at run time: nothing is checked or converted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from hotline.orgs.models import User

    class AuthedRequest(HttpRequest):
        user: User  # narrowed from User | AnonymousUser

else:
    AuthedRequest = HttpRequest
