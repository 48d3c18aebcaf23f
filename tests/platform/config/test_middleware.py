"""The database briefly away: 503 with Retry-After and a message, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client, RequestFactory

from config.middleware import DatabaseUnavailableMiddleware
from tests.platform.conftest import People


def test_a_page_gets_a_503_page_with_retry_after() -> None:
    middleware = DatabaseUnavailableMiddleware(lambda request: HttpResponse())
    request = RequestFactory().post("/exercises/double-it/")
    response = middleware.process_exception(request, OperationalError("connection refused"))
    assert response is not None
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert b"<h1>Back in a moment</h1>" in response.content
    assert b"nothing was lost" in response.content


def test_other_exceptions_are_left_alone() -> None:
    middleware = DatabaseUnavailableMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/")
    assert middleware.process_exception(request, ValueError("a bug")) is None


@pytest.mark.django_db
def test_healthz_says_503_in_json(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    import pages.views

    class DeadConnection:
        def cursor(self) -> Any:
            raise OperationalError("could not connect to server")

    monkeypatch.setattr(pages.views, "connection", DeadConnection())
    response = client.get("/healthz")
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert json.loads(response.content)["code"] == "database_unavailable"


def test_the_api_says_503_in_json(
    client: Client, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.api

    def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(api.api, "exercises_visible_to", unavailable)
    client.force_login(people.alice)
    response = client.get("/api/v1/exercises")
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    body = json.loads(response.content)
    assert body["code"] == "database_unavailable" and "Try again" in body["message"]


@pytest.mark.django_db
def test_an_oversized_api_body_is_413_json_before_it_is_read(client: Client, settings: Any) -> None:
    settings.MAX_REQUEST_BYTES = 1000
    response = client.post("/api/v1/submissions", data="x" * 1001, content_type="application/json")
    assert (response.status_code, response["Connection"]) == (413, "close")
    body = json.loads(response.content)
    assert body["code"] == "too_large" and "the limit is 1000" in body["message"]
    # At the limit, the request goes on as usual (here: 401, no credentials).
    assert (
        client.post(
            "/api/v1/submissions", data="x" * 1000, content_type="application/json"
        ).status_code
        == 401
    )
