"""Who a failed sign-in counts against: the account, whatever address it came from.

django-axes keys its failure counts by what this returns, so "Person@Example.org " and
"person@example.org" are one account, as they are when signing in.
"""


def account_of(request, credentials) -> str:
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username", "")
    return (value or "").strip().casefold()
