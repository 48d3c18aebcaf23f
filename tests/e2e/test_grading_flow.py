"""End to end with real processes: HTTP -> Django -> Redis -> Celery worker -> sandbox -> DB.

The live server runs in this process; the worker and beat are real `celery` processes on a
private redis-server; the exercise is a real one from exercises/, graded by the real engine.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from accounts.models import User
from accounts.services import api_token_create
from submissions.models import Submission
from tests.e2e.conftest import (
    E2E_WAIT,
    HttpClient,
    Processes,
    bank_of,
    student_in_course,
    wait_until,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SLUG = "linear-backward"
SOLUTIONS = ROOT / "exercises" / "backprop" / SLUG / "solutions"
PASSWORD = "e2e-student-pass-42"


@pytest.fixture
def student(settings: Any, processes: Processes) -> User:
    # Only the exercise under test (a copy: same files, same version), so that an unrelated
    # exercise being written elsewhere in the bank cannot break this test.
    bank_of(settings, processes, "backprop/" + SLUG)
    return student_in_course(username="e2e-student", password=PASSWORD)


def wait_for_result(client: HttpClient, token: str, submission_id: int, timeout: float) -> Any:
    def finished() -> Any:
        status, body = client.api("GET", f"/submissions/{submission_id}", token)
        return body if status == 200 and body["status"] in ("done", "error") else None

    return wait_until(f"submission {submission_id} to be graded", finished, timeout)


def test_correct_and_wrong_solutions_over_http(
    live_server: Any, processes: Processes, student: User
) -> None:
    _, worker = processes.worker("worker")
    client = HttpClient(live_server.url)
    client.sign_in("e2e-student", PASSWORD)
    token = api_token_create(user=student)[1]

    # A correct solution, through the page's form, as a browser sends it.
    client.request("GET", f"/exercises/{SLUG}/")
    started = time.perf_counter()
    status, url, _ = client.request(
        "POST",
        f"/exercises/{SLUG}/",
        form={
            "code": (SOLUTIONS / "correct_matmul.py").read_text(),
            "mode": "graded",
            "csrfmiddlewaretoken": client.csrf_token(),
        },
    )
    match = re.search(r"/submissions/(\d+)/$", url)
    assert status == 200 and match, (status, url)
    accepted = wait_for_result(client, token, int(match.group(1)), timeout=E2E_WAIT)
    elapsed = time.perf_counter() - started

    assert accepted["status"] == "done", accepted
    assert (accepted["verdict"], accepted["score"], accepted["max_score"]) == (
        "accepted",
        10.0,
        10.0,
    )
    assert accepted["report"]["checks"] and all(c["passed"] for c in accepted["report"]["checks"])
    _, _, page = client.request("GET", f"/submissions/{accepted['id']}/")
    assert "Accepted" in page and "small example" in page

    # A wrong one (dw transposed), through the JSON API with a token.
    code = (SOLUTIONS / "bug_dw_transposed.py").read_text()
    status, created = client.api("POST", "/submissions", token, {"exercise": SLUG, "code": code})
    assert status == 202 and created["status"] == "queued", created
    rejected = wait_for_result(client, token, created["id"], timeout=E2E_WAIT)

    assert rejected["status"] == "done"
    assert rejected["verdict"] in ("rejected", "partially_accepted")
    assert rejected["score"] < rejected["max_score"]
    failed = [c for c in rejected["report"]["checks"] if not c["passed"]]
    assert failed and failed[0]["message"]
    for submission in Submission.objects.all():
        assert (submission.graded_count, submission.claim_count) == (1, 1)
    print(
        f"submit -> verdict over HTTP (first submission, cold reference): {elapsed * 1000:.0f} ms"
    )
    assert_yields_the_cpu(worker.pid)


def assert_yields_the_cpu(pid: int) -> None:
    """The worker leads its own session: under autogroup scheduling, only its group's weight
    makes the web go first when the CPU is short (docs/benchmarks.md, "Where the time goes")."""
    nice = settings.WORKER_NICE
    assert os.getpriority(os.PRIO_PROCESS, pid) == nice
    autogroup = Path(f"/proc/{pid}/autogroup")
    if autogroup.exists():  # kernels built with autogroup scheduling
        assert autogroup.read_text().strip().endswith(f"nice {nice}"), autogroup.read_text()


def submit_slow_and_wait_until_running(client: HttpClient, token: str) -> int:
    """A correct solution that sleeps 2.5 s at import, submitted; returns once it is being
    graded (inside the sandbox): long enough to kill its worker in the middle."""
    slow = "import time\ntime.sleep(2.5)\n\n" + (SOLUTIONS / "correct_matmul.py").read_text()
    status, created = client.api("POST", "/submissions", token, {"exercise": SLUG, "code": slow})
    assert status == 202, created
    wait_until(
        "a worker to start grading",
        lambda: Submission.objects.filter(pk=created["id"], status="running").exists(),
        E2E_WAIT,
    )
    time.sleep(0.5)  # inside the sandbox now
    return int(created["id"])


def test_a_worker_killed_mid_grade_loses_nothing_and_grades_once(
    live_server: Any, processes: Processes, student: User
) -> None:
    first_name, first = processes.worker("doomed")
    processes.beat()
    client = HttpClient(live_server.url)
    token = api_token_create(user=student)[1]
    submission = Submission.objects.get(pk=submit_slow_and_wait_until_running(client, token))
    processes.kill(first)  # SIGKILL the worker, its pool and its grader at once
    submission.refresh_from_db()
    assert (submission.status, submission.worker) == ("running", first_name)

    second_name, _second = processes.worker("rescuer")
    # The sweeper (beat, every 1 s) re-queues it once it is past SWEEP_RUNNING_AFTER (8 s).
    result = wait_for_result(client, token, submission.pk, timeout=E2E_WAIT)

    assert result["status"] == "done", result
    assert result["verdict"] == "accepted"
    submission.refresh_from_db()
    assert submission.worker == second_name
    assert submission.graded_count == 1  # exactly once into the gradebook
    assert submission.claim_count == 2  # the dead worker's claim, then the rescuer's
    assert submission.requeue_count == 1

    # The dead worker's message may still be delivered again later (acks_late): it must not
    # grade a second time.
    from submissions.tasks import grade_submission

    grade_submission.apply_async((submission.pk,), queue="grading")
    rescuer_log = processes.logdir / "rescuer.log"
    wait_until("the duplicate delivery", lambda: "'skipped'" in rescuer_log.read_text(), 30)
    submission.refresh_from_db()
    assert (submission.graded_count, submission.claim_count) == (1, 2)


def test_a_worker_killed_whole_and_restarted_grades_its_submission_at_once(
    live_server: Any, processes: Processes, student: User
) -> None:
    # No beat here: nothing but the restarted worker itself can rescue the submission (a
    # killed worker's unacknowledged message comes back from Redis only after an hour).
    name, first = processes.worker("node")
    client = HttpClient(live_server.url)
    token = api_token_create(user=student)[1]
    pk = submit_slow_and_wait_until_running(client, token)
    processes.kill(first)  # the worker, its pool and its graders, as when a container dies

    processes.worker("node-again", hostname=name)  # systemd / docker restart: the same name
    result = wait_for_result(client, token, pk, timeout=E2E_WAIT)

    assert (result["status"], result["verdict"]) == ("done", "accepted"), result
    # No beat runs, so no sweeper acted: its own log shows the restarted worker took it back
    # (how soon depends on how fast its sandboxes start, which a loaded machine slows).
    row = Submission.objects.get(pk=pk)
    assert (row.graded_count, row.claim_count, row.requeue_count) == (1, 2, 1)
    assert "re-queued 1 submissions" in (processes.logdir / "node-again.log").read_text()


def test_a_hidden_cases_exception_text_never_crosses_http(
    live_server: Any, processes: Processes, student: User
) -> None:
    """Code right on the visible example that raises the hidden inputs in its message: the API
    and the page say which exception, on which line, and nothing of the message (its marker,
    "LEAK", is put together at run time: the code on the page does not hold it)."""
    processes.worker("worker")
    client = HttpClient(live_server.url)
    client.sign_in("e2e-student", PASSWORD)
    token = api_token_create(user=student)[1]
    leak = (
        "def linear_backward(x, w, b, dout):\n"
        "    if x.shape != (2, 3):\n"
        "        raise ValueError('LE' + 'AK' + repr(x.tolist()))\n"
        "    return dout @ w.T, x.T @ dout, dout.sum(axis=0)\n"
    )
    status, created = client.api("POST", "/submissions", token, {"exercise": SLUG, "code": leak})
    assert status == 202, created
    got = wait_for_result(client, token, created["id"], timeout=E2E_WAIT)
    hidden = [check for check in got["report"]["checks"] if not check["visible"]]
    assert hidden and all("raised ValueError at line 3" in c["message"] for c in hidden), hidden
    _, _, page = client.request("GET", f"/submissions/{created['id']}/")
    assert "LEAK" not in json.dumps(got) and "LEAK" not in page
    assert "raised ValueError at line 3" in page
