from rest_framework.throttling import SimpleRateThrottle


class PerTokenThrottle(SimpleRateThrottle):
    """A request budget per token (settings: REST_FRAMEWORK DEFAULT_THROTTLE_RATES['token'])."""

    scope = "token"

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        ident = f"token-{token.pk}" if token is not None else f"anon-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
