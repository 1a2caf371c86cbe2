"""Failures a person can meet in the ordinary course, shown as a page that says what to do
rather than the generic 500: an address holding a character no page accepts, a page that
needs the contract before there is one, a database connection lost in the middle of a
request (a restart, a failover)."""

import logging

from django.db import InterfaceError, OperationalError, connections
from django.http import JsonResponse
from django.shortcuts import render

from programme.selectors import NoContractYet

log = logging.getLogger(__name__)


class ExplainedFailureMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # PostgreSQL cannot store or compare text holding a NUL byte; no address needs one
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            if request.path.startswith("/api/"):
                # the API answers in its own JSON error shape, as its schema documents
                from api.errors import error_body

                message = "The address holds a NUL character, which no parameter accepts."
                return JsonResponse(
                    error_body(400, [{"field": None, "message": message}]), status=400
                )
            return render(request, "400.html", status=400)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NoContractYet):
            return render(request, "no_contract.html", status=503)
        if isinstance(exception, OperationalError | InterfaceError):
            # the transaction it was in has rolled back; the page below may need a connection
            # of its own, so a broken one is closed and the next query opens a fresh one
            log.error(
                "Database connection lost during %s %s",
                request.method,
                request.path,
                exc_info=exception,
            )
            for conn in connections.all(initialized_only=True):
                if not conn.in_atomic_block:
                    conn.close()
            return render(request, "database_unavailable.html", status=503)
        return None
