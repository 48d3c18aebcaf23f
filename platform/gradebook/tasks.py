"""The gradebook's Celery tasks (found by config.celery's autodiscover_tasks)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="gradebook.tasks.run_similarity_check", ignore_result=True)
def run_similarity_check(check_id: int) -> None:
    """Compare the students' final graded code; sent on the low-priority `regrade` queue so that
    students' submissions go first (docs/architecture.md)."""
    from gradebook.similarity import similarity_check_run

    similarity_check_run(check_id=check_id)
