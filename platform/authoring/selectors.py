"""Reads for authoring, and the one place that decides who may author what.

The rule: instructors and platform staff are authors; anyone else gets a 404 on every page under
/teach/exercises/ (a 403 would confirm that the page exists). An author may start a draft from
any exercise (instructors may assign any exercise, so they may read all of them); a draft is
private to its author, who alone may edit, validate, publish, export or delete it; staff may do
all of that with every draft. Publishing writes the exercise that every course shares, but never
changes an old version: submissions stay on the version they were graded on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from accounts.models import User
from catalog.models import Exercise, ExerciseVersion
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from authoring.folder import files_hash
from authoring.models import ExerciseDraft, Publication


def is_author(user: User) -> bool:
    return user.is_authenticated and (user.is_instructor or user.is_platform_staff)


def author_check(user: User) -> None:
    """Http404 unless `user` may author exercises."""
    if not is_author(user):
        raise Http404("no such page")


def drafts_for(user: User) -> QuerySet[ExerciseDraft]:
    """The drafts `user` may open: their own; staff: everyone's."""
    author_check(user)
    qs = ExerciseDraft.objects.select_related("author", "exercise")
    return qs if user.is_platform_staff else qs.filter(author=user)


def draft_get_for_user(*, user: User, pk: int) -> ExerciseDraft:
    draft = drafts_for(user).select_related("base_version").filter(pk=pk).first()
    if draft is None:
        raise Http404("no such draft")
    return draft


def exercises_for_authoring(user: User) -> QuerySet[Exercise]:
    """Every exercise with a version, the open ones first, for "Edit on the web"."""
    author_check(user)
    return (
        Exercise.objects.filter(current_version__isnull=False)
        .select_related("current_version")
        .order_by("-is_active", "topic_rank", "topic", "order", "slug")
    )


def exercise_get_for_authoring(*, user: User, slug: str) -> Exercise:
    exercise = exercises_for_authoring(user).filter(slug=slug).first()
    if exercise is None:
        raise Http404("no such exercise")
    return exercise


def version_get(*, exercise: Exercise, version: str) -> ExerciseVersion:
    found = ExerciseVersion.objects.filter(exercise=exercise, version=version).first()
    if found is None:
        raise Http404("no such version")
    return found


def reopenable_draft(*, user: User, exercise: Exercise) -> ExerciseDraft | None:
    """The user's draft of `exercise` based on its current version, if any."""
    return ExerciseDraft.objects.filter(
        author=user, exercise=exercise, base_version_id=exercise.current_version_id
    ).first()


@dataclass
class VersionRow:
    version: ExerciseVersion
    is_current: bool
    # (who, when) for each time it was made current from the web; empty: synced from a folder.
    publications: list[tuple[str, datetime]] = field(default_factory=list)


def version_history(exercise: Exercise) -> list[VersionRow]:
    """The exercise's versions, newest first, with who published each from the web."""
    publications = Publication.objects.select_related("published_by").order_by("-published_at")
    versions = exercise.versions.order_by("-created_at", "-pk").prefetch_related(
        Prefetch("publications", queryset=publications)
    )
    return [
        VersionRow(
            version=version,
            is_current=version.pk == exercise.current_version_id,
            publications=[
                (p.published_by.username if p.published_by else "(deleted user)", p.published_at)
                for p in version.publications.all()
            ],
        )
        for version in versions
    ]


def publish_problem(draft: ExerciseDraft) -> str | None:
    """Why the draft cannot be published now, or None."""
    if not draft.ok_hash:
        return "Only files that passed validation can be published: validate them first."
    if draft.ok_hash != files_hash(draft.files):
        return "The files changed since they passed validation: validate them again."
    exercise = draft.exercise
    if exercise is not None and exercise.current_version_id != draft.base_version_id:
        return (
            "A newer version of this exercise was published after this draft started: use "
            "“Edit on the web” again to start from it (this draft stays as it is)."
        )
    if exercise is None and Exercise.objects.filter(slug=draft.slug).exists():
        return f"The slug {draft.slug!r} was taken by another exercise meanwhile."
    return None


@dataclass
class DraftStatus:
    state: str  # ExerciseDraft.State
    # The report is about other files than the draft's current ones (edited since).
    stale: bool
    publish_problem: str | None
    report: dict = field(default_factory=dict)

    @property
    def running(self) -> bool:
        return self.state in (ExerciseDraft.State.QUEUED, ExerciseDraft.State.RUNNING)

    def as_json(self) -> dict[str, object]:
        return {
            "state": self.state,
            "stale": self.stale,
            "publishable": self.publish_problem is None,
            "publish_problem": self.publish_problem or "",
        }


def draft_status(draft: ExerciseDraft) -> DraftStatus:
    current = files_hash(draft.files)
    return DraftStatus(
        state=draft.validation_state,
        stale=bool(draft.validated_hash) and draft.validated_hash != current,
        publish_problem=publish_problem(draft),
        report=draft.validation_report or {},
    )
