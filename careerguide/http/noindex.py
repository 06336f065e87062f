"""`X-Robots-Tag: noindex` on every admin response, the login page and its
redirects included. robots.txt cannot say it: naming a secret ADMIN_URL there
would disclose it to anyone who reads the file."""

from django.conf import settings


class AdminNoindexMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/" + settings.ADMIN_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.prefix):
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response
