"""No link leads to a page the user may not open (issue 18): for each demo role, every
link on every page it reaches from its home page answers 200, a redirect, or is a
download. Two pages of each URL shape are visited (an id stands for all its siblings)."""

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.snapshot import demo_snapshot

pytestmark = pytest.mark.dates

ROLES = [
    "pm@example.org",
    "consultant@example.org",
    "lead.northeast@example.org",
    "dfe@example.org",
]
# not followed: signing out, the admin (Django's own), files and exports, the API's pages
SKIP = re.compile(
    r"^/(account/(sign-out|logout)|admin/|api/|static/|media/)|format=|[?&]page=|\.(pdf|xlsx|csv|png|svg)$"
)
PER_SHAPE = 2
MAX_PAGES = 220


def shape(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/N", urlsplit(path).path)


def links(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'<a [^>]*href="(/[^"#]*)', html)]


@pytest.mark.parametrize("email", ROLES)
def test_every_link_a_role_meets_opens(email, db):
    demo_snapshot.seed()
    client = Client()
    signed_in = client.post("/account/sign-in/", {"username": email, "password": "fostering-demo"})
    assert signed_in.status_code == 302
    queue, seen, shapes, broken = deque([("/", "(start)")]), set(), {}, []
    while queue and len(seen) < MAX_PAGES:
        path, found_on = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code not in (200, 302):
            broken.append(f"{path} ({response.status_code}), linked from {found_on}")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in links(response.content.decode()):
            if SKIP.search(href) or href in seen:
                continue
            key = shape(href)
            if shapes.get(key, 0) >= PER_SHAPE:
                continue
            shapes[key] = shapes.get(key, 0) + 1
            queue.append((href, path))
    assert broken == [], "\n".join(broken)
    assert len(seen) > 40  # the crawl reached well beyond the home page
