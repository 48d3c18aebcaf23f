"""An instructor's Validate never starves students (end to end, with the workers of `make run`).

The workers are started exactly as scripts/run.py starts them (its `workers`): the grading worker
of 2 pool processes, and the validation worker of one. Two instructors validate drafts whose
reference sleeps 20 s per call; one of them presses Validate again, which supersedes (and must
stop) their first run. Meanwhile a student's practice run and graded submission of a normal
exercise are graded as fast as on an idle platform, and the superseded run's sandbox is gone.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from accounts.services import api_token_create, user_create
from authoring.models import ExerciseDraft
from authoring.services import draft_create
from tests.e2e.conftest import CELERY, HttpClient, Processes, bank_of, student_in_course, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SLUG = "linear-backward"
SOLUTIONS = ROOT / "exercises" / "backprop" / SLUG / "solutions"
PASSWORD = "e2e-pass-for-validation-42"
SLEEP_SECONDS = 20
STUDENT_BUDGET_SECONDS = 10.0


def _run_py() -> Any:
    spec = importlib.util.spec_from_file_location("deepgrade_run", ROOT / "scripts" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def start_like_make_run(processes: Processes) -> dict[str, subprocess.Popen[bytes]]:
    """The Celery workers of `make run` (scripts/run.py), on the test's redis and database."""
    celery = [CELERY, "--workdir", str(ROOT / "platform"), "-A", "config"]
    started = {}
    for name, argv, env in _run_py().workers(celery, dict(processes.env)):
        log = processes.logdir / f"{name}.log"
        handle = open(log, "wb")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        processes.started.append((name, proc, log))  # stopped (and logged) by the fixture
        started[name] = proc
    for name, _proc, log in processes.started:
        wait_until(f"{name} ready", lambda log=log: b" ready." in log.read_bytes(), 60)
    return started


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _tree(pid: int) -> set[int]:
    """`pid`'s living descendants (its pool process, their sandbox zygotes and children)."""
    tree: set[int] = set()
    todo = [pid]
    while todo:
        for child in _children(todo.pop()):
            tree.add(child)
            todo.append(child)
    return tree


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _cpu_seconds(pids: set[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / 100


def _pss_mb(pids: set[int]) -> float:
    """Memory of these processes, shared pages split between them (the zygotes' forks)."""
    total = 0
    for pid in pids:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total += next(
            (int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0
        )
    return total / 1024


def _slow_draft(author: User, slug: str) -> ExerciseDraft:
    """The skeleton (its function is named after the slug), with a reference that sleeps
    SLEEP_SECONDS per call, as a careless one might compute, within its own limits."""
    draft = draft_create(author=author, slug=slug, title="Slow ReLU", topic="backprop", kind="code")
    toml = draft.files["exercise.toml"].replace("wall_seconds = 10.0", "wall_seconds = 60.0")
    reference = "import time\n" + draft.files["reference.py"].replace(
        "    return ", f"    time.sleep({SLEEP_SECONDS})\n    return ", 1
    )
    draft.files = {**draft.files, "exercise.toml": toml, "reference.py": reference}
    draft.save()
    return draft


def _author(username: str, live_url: str) -> HttpClient:
    user_create(username=username, password=PASSWORD, role=User.Role.INSTRUCTOR)
    client = HttpClient(live_url)
    client.sign_in(username, PASSWORD)
    return client


def _validate(client: HttpClient, draft: ExerciseDraft) -> tuple[int, Any]:
    path = f"/teach/exercises/drafts/{draft.pk}/validate/"
    client.request("GET", f"/teach/exercises/drafts/{draft.pk}/")  # the CSRF cookie
    status, _, body = client.request(
        "POST",
        path,
        form={"csrfmiddlewaretoken": client.csrf_token()},
        headers={"Accept": "application/json"},
    )
    return status, json.loads(body)


def _state(draft: ExerciseDraft) -> str:
    return ExerciseDraft.objects.get(pk=draft.pk).validation_state


def _graded_seconds(client: HttpClient, token: str, body: dict[str, Any]) -> float:
    started = time.perf_counter()
    status, created = client.api("POST", "/submissions", token, body)
    assert status == 202, created

    def finished() -> Any:
        status, row = client.api("GET", f"/submissions/{created['id']}", token)
        return row if status == 200 and row["status"] in ("done", "error") else None

    row = wait_until("the student's submission graded", finished, 30)
    elapsed = time.perf_counter() - started
    assert (row["status"], row["verdict"]) == ("done", "accepted"), row
    return elapsed


def test_two_slow_validations_leave_students_graded_at_once(
    live_server: Any, processes: Processes, settings: Any
) -> None:
    bank_of(settings, processes, "backprop/" + SLUG)
    student = student_in_course(username="e2e-student", password=PASSWORD)
    token = api_token_create(user=student)[1]
    correct = (SOLUTIONS / "correct_matmul.py").read_text()

    workers = start_like_make_run(processes)
    validator = workers["validator"]
    ada, bert = _author("ada", live_server.url), _author("bert", live_server.url)
    adas = _slow_draft(User.objects.get(username="ada"), "slow-relu-ada")
    adas_other = _slow_draft(User.objects.get(username="ada"), "slow-relu-ada-two")
    berts = _slow_draft(User.objects.get(username="bert"), "slow-relu-bert")

    # Ada's validation starts, and sleeps in its sandbox.
    assert _validate(ada, adas)[0] == 202
    wait_until("ada's validation running", lambda: _state(adas) == "running", 30)
    first_run = _tree(validator.pid)
    time.sleep(1.5)  # inside the reference's sleep now
    assert len(_alive(first_run)) >= 3, first_run  # pool process, zygote(s), the sandbox child
    # Bert's validation waits for the validation worker; Ada's second draft is refused.
    assert _validate(bert, berts)[0] == 202
    status, refused = _validate(ada, adas_other)
    assert status == 409 and "one validation at a time" in refused["errors"][0], refused

    # Ada presses Validate again: her first run is superseded, and must stop now.
    pressed = time.perf_counter()
    assert _validate(ada, adas)[0] == 202
    wait_until("the superseded run's processes gone", lambda: not _alive(first_run), 15)
    stopped_after = time.perf_counter() - pressed
    # The validation worker starts a fresh pool process (and its sandbox) and takes Bert's.
    wait_until("bert's validation running", lambda: _state(berts) == "running", 30)
    next_after = time.perf_counter() - pressed
    assert _alive(_tree(validator.pid)) and not _alive(first_run)
    cpu_before = _cpu_seconds(_tree(validator.pid))

    # Two slow validations are still under way (Bert's, then Ada's again): students do not wait.
    practice = _graded_seconds(
        ada_student := HttpClient(live_server.url),
        token,
        {"exercise": SLUG, "code": correct, "mode": "practice", "visible_only": True},
    )
    graded = _graded_seconds(ada_student, token, {"exercise": SLUG, "code": correct})

    assert _state(berts) == "running"
    assert _state(adas) == "queued"  # behind Bert's: one validation worker, one process
    assert _state(adas_other) == "new"
    print(
        f"\nsuperseded validation stopped {stopped_after:.2f} s after Validate was pressed again "
        f"(its {len(first_run)} processes gone); the next validation started after "
        f"{next_after:.2f} s; with two slow validations under way, the "
        f"student's practice run was graded in {practice:.2f} s and the graded submission in "
        f"{graded:.2f} s (budget {STUDENT_BUDGET_SECONDS:.0f} s); validation worker CPU "
        f"{cpu_before:.2f} s -> {_cpu_seconds(_tree(validator.pid)):.2f} s meanwhile; its "
        f"processes hold {_pss_mb(_tree(validator.pid) | {validator.pid}):.0f} MB (PSS)"
    )
    assert practice < STUDENT_BUDGET_SECONDS
    assert graded < STUDENT_BUDGET_SECONDS
    assert stopped_after < 10
