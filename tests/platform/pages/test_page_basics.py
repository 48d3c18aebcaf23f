"""Small things every page shows: the icon (/favicon.ico answers, each page links it), the
sign-in page's title (the site's name, not the request's host), where signing in leads (an
instructor or staff member to /teach/), and a refused submission's message said once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.platform.conftest import Bank, People

pytestmark = pytest.mark.django_db


def title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found, html[:300]
    return found.group(1).strip()


def test_favicon_ico_answers_and_every_page_links_the_icon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/pages/favicon.ico"
    assert "max-age=86400" in response["Cache-Control"]
    icon = finders.find("pages/favicon.ico")
    assert icon and Path(icon).read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = client.get("/signin/").content.decode()
    assert '<link rel="icon" href="/static/pages/favicon.ico"' in page


def test_the_sign_in_page_is_titled_with_the_sites_name(client: Client, settings: Any) -> None:
    settings.SITE_NAME = "deepgrade at Example"
    page = client.get("/signin/", HTTP_HOST="testserver").content.decode()
    assert title(page) == "Sign in · deepgrade at Example"
    assert '<a class="brand" href="/">deepgrade at Example</a>' in page


@pytest.mark.parametrize(("who", "lands"), [("carol", "/teach/"), ("erin", "/teach/")])
def test_instructors_and_staff_sign_in_to_teach(people: People, who: str, lands: str) -> None:
    client = Client()
    password = f"{who}-pass-123"
    response = client.post("/signin/", {"username": who, "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == lands
    assert response.status_code == 200


def test_a_student_still_signs_in_to_their_course(people: People) -> None:
    client = Client()
    response = client.post("/signin/", {"username": "alice", "password": "alice-pass-123"})
    assert client.get(response["Location"])["Location"] == "/courses/ml101/"


def test_a_rate_limited_submission_says_so_once(
    client: Client, exercises: Bank, people: People, settings: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("submissions.queue.enqueue_grading", lambda pk, **_: None)
    settings.SUBMISSION_RATE = (1, 60)
    client.force_login(people.alice)
    url = f"/courses/ml101/exercises/{exercises.code.slug}/"
    code = "def double_it(x):\n    return 2 * x\n"
    assert client.post(url, {"code": code, "mode": "graded"}).status_code == 302

    refused = client.post(url, {"code": code, "mode": "graded"})

    assert refused.status_code == 429 and refused["Retry-After"]
    assert refused.content.decode().lower().count("try again in") == 1
