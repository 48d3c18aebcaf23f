"""Reads for authoring, and the one place that decides who may author what.

The rules:
- Instructors and platform staff are authors; anyone else gets a 404 on every page under
  /teach/exercises/ (a 403 would confirm that the page exists).
- A draft is private to its author, who alone may edit, validate, publish, export or delete it;
  staff may do all of that with every draft.
- An exercise is changed only by its owners (exercises_changeable_by, the one rule): the author
  who first published it, the co-authors they added (catalog.ExerciseOwner), and staff, always.
  Folder exercises (synced from exercises/) belong to staff only. Only they may start a draft
  from it, validate or publish a draft of it, see its versions, download their files
  (reference, solutions, cases) or change its owners; anyone else gets a 404 there, or a clear
  refusal on their own draft of it. Any author may still copy an exercise's current version into
  a new exercise of their own (another slug), and instructors may read and assign every exercise
  (the courses app).
Publishing writes the exercise that every course shares, but never changes an old version:
submissions stay on the version they were graded on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from accounts.models import User
from authoring.folder import files_hash
from authoring.models import ExerciseDraft, Publication
from catalog.models import Exercise, ExerciseOwner, ExerciseVersion


def is_author(user: User) -> bool:
    return user.is_authenticated and (user.is_instructor or user.is_platform_staff)


def author_check(user: User) -> None:
    """Http404 unless `user` may author exercises."""
    if not is_author(user):
        raise Http404("no such page")


def exercises_changeable_by(user: User) -> QuerySet[Exercise]:
    """The exercises `user` may change: THE ownership rule, written here only.

    Staff: every exercise. Other authors: the web exercises they own. Folder exercises have no
    owners (the folder in exercises/ is their source, and it is staff's). Everything that writes
    an exercise or shows its files asks this (may_change_exercise, exercise_get_for_change).
    """
    if not is_author(user):
        return Exercise.objects.none()
    if user.is_platform_staff:
        return Exercise.objects.all()
    return Exercise.objects.filter(source=Exercise.Source.WEB, owners__user=user)


def may_change_exercise(user: User, exercise: Exercise) -> bool:
    return exercises_changeable_by(user).filter(pk=exercise.pk).exists()


def _changeable(user: User, field: str) -> Exists:
    """Per row of a query: whether `user` may change the exercise whose id is in `field`."""
    return Exists(exercises_changeable_by(user).filter(pk=OuterRef(field)))


def drafts_for(user: User) -> QuerySet[ExerciseDraft]:
    """The drafts `user` may open: their own; staff: everyone's.

    `exercise_changeable`: whether `user` may change the draft's exercise (a draft started from
    an exercise before ownership existed, or by a co-owner removed since, stays its author's but
    cannot be validated or published by them).
    """
    author_check(user)
    qs = ExerciseDraft.objects.select_related("author", "exercise").annotate(
        exercise_changeable=_changeable(user, "exercise_id")
    )
    return qs if user.is_platform_staff else qs.filter(author=user)


def draft_get_for_user(*, user: User, pk: int) -> ExerciseDraft:
    draft = drafts_for(user).select_related("base_version").filter(pk=pk).first()
    if draft is None:
        raise Http404("no such draft")
    return draft


def exercises_for_authoring(user: User) -> QuerySet[Exercise]:
    """Every exercise with a version, the open ones first: "Edit on the web" where `user` may
    change it (`changeable`), "Copy to my exercises" for any."""
    author_check(user)
    return (
        Exercise.objects.filter(current_version__isnull=False)
        .select_related("current_version")
        .defer("current_version__files")
        .annotate(changeable=_changeable(user, "pk"))
        .order_by("-is_active", "topic_rank", "topic", "order", "slug")
    )


def exercise_get_for_copy(*, user: User, slug: str) -> Exercise:
    """An exercise any author may copy (its current version's files) into a new one."""
    author_check(user)
    exercise = (
        Exercise.objects.filter(slug=slug, current_version__isnull=False)
        .select_related("current_version")
        .first()
    )
    if exercise is None:
        raise Http404("no such exercise")
    return exercise


def exercise_get_for_change(*, user: User, slug: str) -> Exercise:
    """An exercise `user` may change; Http404 otherwise (also for one that exists: a 403 would
    tell a non-owner what they may not see)."""
    author_check(user)
    exercise = (
        exercises_changeable_by(user)
        .filter(slug=slug, current_version__isnull=False)
        .select_related("current_version")
        .first()
    )
    if exercise is None:
        raise Http404("no such exercise")
    return exercise


def exercise_owners(exercise: Exercise) -> list[ExerciseOwner]:
    return list(exercise.owners.select_related("user", "added_by").order_by("created_at", "pk"))


def not_an_owner_message(exercise: Exercise) -> str:
    """What a non-owner is told when their own draft of `exercise` cannot go further."""
    names = ", ".join(o.user.username for o in exercise_owners(exercise))
    whom = f"one of its owners ({names})" if names else "platform staff"
    return (
        f"You are not an owner of “{exercise.title}”, so this draft cannot be validated or "
        f"published. Ask {whom} to add you as a co-owner, or copy the exercise to your own "
        "exercises from the authoring page (it then gets a slug of its own)."
    )


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


def publish_problem(draft: ExerciseDraft, user: User) -> str | None:
    """Why `user` cannot publish the draft now, or None."""
    if draft.exercise is not None and not may_change_exercise(user, draft.exercise):
        return not_an_owner_message(draft.exercise)
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


def validation_running_elsewhere(draft: ExerciseDraft) -> ExerciseDraft | None:
    """Another draft of the same author whose validation is queued or running, if any."""
    return (
        ExerciseDraft.objects.filter(
            author_id=draft.author_id,
            validation_state__in=(ExerciseDraft.State.QUEUED, ExerciseDraft.State.RUNNING),
        )
        .exclude(pk=draft.pk)
        .first()
    )


def validation_is_current(*, draft_id: int, token: object) -> bool:
    """Whether the run holding `token` is still the draft's current one (not superseded by a
    newer "Validate", the draft not deleted): a run asks before each sandbox run."""
    return ExerciseDraft.objects.filter(
        pk=draft_id, validation_token=token, validation_state=ExerciseDraft.State.RUNNING
    ).exists()


def validation_problem(draft: ExerciseDraft, user: User) -> str | None:
    """Why `user` cannot validate the draft now, or None.

    One validation at a time per author: validations share one small worker (settings:
    VALIDATION_QUEUE), and one author's many drafts must not keep everyone else's waiting. A
    second "Validate" on the same draft is allowed: it replaces the run going on.
    """
    if draft.exercise is not None and not may_change_exercise(user, draft.exercise):
        return not_an_owner_message(draft.exercise)
    other = validation_running_elsewhere(draft)
    if other is not None:
        return (
            f"The validation of your draft “{other.slug}” is still "
            f"{other.get_validation_state_display().lower()}: one validation at a time per "
            "author. Validate this draft once it has finished (that draft's page shows when)."
        )
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


def draft_status(draft: ExerciseDraft, user: User) -> DraftStatus:
    """The draft's validation and publishing state, as `user` sees it."""
    current = files_hash(draft.files)
    return DraftStatus(
        state=draft.validation_state,
        stale=bool(draft.validated_hash) and draft.validated_hash != current,
        publish_problem=publish_problem(draft, user),
        report=draft.validation_report or {},
    )
