"""The tracker's areas, and the hooks each may provide.

An area (a Django app) may offer ``navigation.py`` (``ITEMS``), ``home.py``
(``panels(user)``) and ``demo.py`` (``seed()``). The shell finds them here, in this
order, so that adding an area touches no shared file.
"""

from collections.abc import Iterator
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

AREAS = [
    "programme",
    "clusters",
    "accounts",
    "timesheets",
    "pipeline",
    "insights",
    "engagement",
    "reports",
    "api",
]


def area_modules(name: str) -> Iterator[ModuleType]:
    """Each area's ``<area>.<name>`` module, for the areas that have one."""
    for area in AREAS:
        if find_spec(area) is None or find_spec(f"{area}.{name}") is None:
            continue
        yield import_module(f"{area}.{name}")
