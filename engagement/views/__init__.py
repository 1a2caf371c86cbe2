"""Engagement pages, one module a part. Each module lists its routes as ``urlpatterns``
(joined in ``engagement/urls.py``) and may offer ``home_panels(user)`` for the home page."""
