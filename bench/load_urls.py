"""The production URLs plus `/bench/trivial/`: a fixed 5 KB page through the same middleware.

It measures what the stack itself costs (gunicorn, WSGI, every middleware including the page
cache's lookup), so each page's throughput can be given as a share of it. Bench settings only.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns

_LINE = "<p>一村(社区)一法律顾问：每个村(社区)都有一名法律顾问。</p>\n"
TRIVIAL_PAGE = (
    '<!doctype html>\n<html lang="zh-hans"><head><meta charset="utf-8"><title>bench</title></head><body>\n'
    + _LINE * (5120 // len(_LINE.encode()))
    + "</body></html>\n"
).encode()


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse(TRIVIAL_PAGE, content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/trivial/", trivial, name="bench-trivial"), *portal_urlpatterns]
