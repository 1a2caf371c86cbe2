"""View decorators that apply the permission predicates."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .permissions import has_data_access


def data_access_required(view):
    """Keep users without current vetting and training out of pipeline data and reports,
    showing them why (spec §26-27)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not has_data_access(request.user):
            return render(
                request,
                "accounts/data_access_refused.html",
                {"problems": request.user.data_access_problems()},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapper


def predicate_required(predicate):
    """Refuse (403) users for whom ``predicate(user)`` is false."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
