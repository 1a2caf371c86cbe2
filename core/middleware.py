"""Failures a person can meet in the ordinary course, shown as a page that says what to do
rather than the generic 500."""

from django.shortcuts import render

from programme.selectors import NoContractYet


class ExplainedFailureMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NoContractYet):
            return render(request, "no_contract.html", status=503)
        return None
