"""The address a request came from.

Behind a reverse proxy every request arrives from the proxy's address; the client's is in a
header the proxy adds. That header is believed only where the operator says a proxy sets it
(``TRUSTED_PROXY_HEADER``) and only as far as the proxies they trust (``TRUSTED_PROXY_COUNT``:
the address that many hops back from the right of ``X-Forwarded-For``), since a client can
send the header itself with any address in it. Without that setting the address is the
connection's own (``REMOTE_ADDR``).
"""

from django.conf import settings


def client_address(request, credentials=None) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    header = getattr(settings, "TRUSTED_PROXY_HEADER", "")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 1)
    if not header:
        return remote
    hops = [h.strip() for h in request.META.get(header, "").split(",") if h.strip()]
    if len(hops) < count:
        # not through the proxies we were told of: the connection is all we can trust
        return remote
    return hops[-count]
