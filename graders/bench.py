"""`graders bench`: the sandbox's cost per run, side by side with a fresh interpreter per run.

Measured in one process on this machine:
- overhead: a trivial job (numpy, and torch) through the hardened fork server, end to end as the
  trusted side sees it (send job -> fork -> harden -> run -> frames back);
- baseline: the same trivial job in a fresh `python -c` that imports numpy and torch, as a
  grader without a zygote would have to;
- a real grading (sigmoid-backward, reference cached) and the throughput of one grader per core.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import threading
import time
from typing import Any

import numpy as np

from graders import jobs
from graders.sandbox.controller import Sandbox

TRIVIAL = {
    "numpy": "import numpy as np\ndef f(x):\n    return np.tanh(x) * 2\n",
    "torch": "import torch\ndef f(x):\n    return torch.tanh(x) * 2\n",
}
BASELINE = (
    "import os; os.environ['OMP_NUM_THREADS'] = '1'\n"
    "import numpy as np, torch\n"
    "torch.set_num_threads(1)\n"
    "x = np.ones((8, 8))\n"
    "print(float((np.tanh(x) * 2).sum()))\n"
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary_ms(samples: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 0.5), 2),
        "p95_ms": round(percentile(ms, 0.95), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
    }


def trivial_job(framework: str) -> tuple[dict[str, Any], list[bytes]]:
    return jobs.student_job(
        source=TRIVIAL[framework],
        filename="solution.py",
        entry_point="f",
        framework=framework,
        banned=[],
        limits={"wall_seconds": 10, "cpu_seconds": 5, "memory_mb": 512},
        cases=[(0, [np.ones((8, 8))])],
    )


def measure_overhead(sandbox: Sandbox, framework: str, runs: int) -> list[float]:
    job, buffers = trivial_job(framework)
    sandbox.run(job, buffers)  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        outcome = sandbox.run(job, buffers)
        samples.append(time.perf_counter() - started)
        assert any(h.get("event") == "case" and "value" in h for h, _ in outcome.frames), (
            outcome.facts
        )
    return samples


def measure_baseline(runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-I", "-c", BASELINE], check=True, capture_output=True, env={}
        )
        samples.append(time.perf_counter() - started)
    return samples


def measure_grading(runs: int) -> tuple[list[float], float]:
    """Real gradings of a core exercise, and throughput with one grader per core."""
    from graders.engine import Grader
    from graders.exercise import load_exercise

    exercise = load_exercise("sigmoid-backward")
    source = exercise.file("reference.py")
    grader = Grader()
    try:
        grader.grade(exercise, source, seed=0)
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            report = grader.grade(exercise, source, seed=0)
            samples.append(time.perf_counter() - started)
            assert report.accepted, report.message
    finally:
        grader.close()

    graders = [Grader(), Grader()]
    for g in graders:
        g.grade(exercise, source, seed=0)
    counts = [0, 0]
    stop = time.perf_counter() + 5.0

    def loop(i: int) -> None:
        while time.perf_counter() < stop:
            graders[i].grade(exercise, source, seed=0)
            counts[i] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    for g in graders:
        g.close()
    return samples, sum(counts) / elapsed


def run_benchmark(runs: int = 200, baseline_runs: int = 5) -> dict[str, Any]:
    numpy_box, torch_box = Sandbox("numpy"), Sandbox("torch")
    try:
        numpy_box.start()
        torch_box.start()
        info = torch_box.info
        numpy_runs = measure_overhead(numpy_box, "numpy", runs)
        torch_runs = measure_overhead(torch_box, "torch", runs)
    finally:
        numpy_box.close()
        torch_box.close()
    baseline = measure_baseline(baseline_runs)
    grading, throughput = measure_grading(max(20, runs // 4))
    numpy_s, torch_s, base_s = summary_ms(numpy_runs), summary_ms(torch_runs), summary_ms(baseline)
    return {
        "protections": {
            k: info.get(k) for k in ("root", "namespaces", "setuid", "landlock_abi", "seccomp")
        },
        "zygote_startup_s": round(info.get("startup_seconds", 0.0), 2),
        "sandbox_run_numpy": numpy_s,
        "sandbox_run_torch": torch_s,
        "fresh_interpreter_run": base_s,
        "speedup_p50_numpy": round(base_s["p50_ms"] / numpy_s["p50_ms"], 1),
        "speedup_p50_torch": round(base_s["p50_ms"] / torch_s["p50_ms"], 1),
        "grade_sigmoid_backward": summary_ms(grading),
        "throughput_2_graders_per_s": round(throughput, 1),
    }


def format_results(r: dict[str, Any]) -> str:
    rows = [
        ("sandbox run, numpy job", r["sandbox_run_numpy"]),
        ("sandbox run, torch job", r["sandbox_run_torch"]),
        ("fresh interpreter per run", r["fresh_interpreter_run"]),
        ("full grading, sigmoid-backward (6 cases)", r["grade_sigmoid_backward"]),
    ]
    lines = [f"protections: {r['protections']}; zygote start-up {r['zygote_startup_s']} s", ""]
    lines.append(f"{'what':44} {'n':>5} {'p50 ms':>9} {'p95 ms':>9}")
    for name, s in rows:
        lines.append(f"{name:44} {s['n']:>5} {s['p50_ms']:>9} {s['p95_ms']:>9}")
    lines.append("")
    lines.append(
        f"speed-up vs fresh interpreter (p50): numpy {r['speedup_p50_numpy']}x, "
        f"torch {r['speedup_p50_torch']}x"
    )
    lines.append(f"throughput, 2 graders on 2 cores: {r['throughput_2_graders_per_s']} gradings/s")
    return "\n".join(lines)
