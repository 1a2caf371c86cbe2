from django.conf import settings

from .navigation import navigation_for


def service(request):
    context = {"service_name": "Fostering programme tracker", "demo_mode": settings.DEMO_MODE}
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        nav = navigation_for(request)
        context["navigation"] = nav["items"]
        context["subnavigation"] = nav["sub"]
    return context
