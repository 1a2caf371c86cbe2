from rest_framework import authentication, exceptions

from .services import TokenProblem, check_token


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer frt_…``. The token itself stands in for the user."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _, presented = header.partition(" ")
        if keyword != self.keyword or not presented.strip():
            raise exceptions.AuthenticationFailed(
                "Send the token as: Authorization: Bearer <token>."
            )
        try:
            token = check_token(presented.strip())
        except TokenProblem as problem:
            request._token_prefix = problem.prefix
            request._token_refused = problem.token
            raise exceptions.AuthenticationFailed(str(problem)) from None
        return (token, token)

    def authenticate_header(self, request):
        return self.keyword
