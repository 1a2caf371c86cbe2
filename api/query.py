"""Query strings are read as strictly as bodies: an unknown parameter is an error."""

from rest_framework import serializers


def read_query(request, serializer_class, *, allowed: tuple[str, ...] = ()) -> dict:
    """The validated query parameters; 400 naming any that is unknown or repeated."""
    params = request.query_params
    errors = {}
    for name in params:
        if len(params.getlist(name)) > 1:
            errors[name] = ["Give this parameter once."]
    if errors:
        raise serializers.ValidationError(errors)
    data = {name: value for name, value in params.items() if name not in allowed}
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
