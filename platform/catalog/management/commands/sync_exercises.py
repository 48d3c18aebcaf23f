"""`python manage.py sync_exercises [--root DIR]`: load exercises/ into the database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.services import exercises_sync, exercises_take_folder
from graders.exercise import ExerciseError


class Command(BaseCommand):
    help = "Sync the exercise folders into the database (idempotent; new version per change)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--root", type=Path, default=None, help="default: EXERCISES_DIR")
        parser.add_argument(
            "--take-folder",
            action="append",
            default=[],
            metavar="SLUG",
            help="an exercise edited on the web takes its folder's files again (repeatable)",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="sync nothing and fail if any exercise folder is broken",
        )

    def handle(self, *args: object, **options: object) -> None:
        taken = exercises_take_folder(slugs=list(options["take_folder"]))  # type: ignore[arg-type]
        for slug in taken:
            self.stdout.write(f"  {'from folder':<12} {slug} (was edited on the web)")
        try:
            result = exercises_sync(root=options["root"], strict=bool(options["strict"]))
        except ExerciseError as exc:
            raise CommandError(f"nothing synced, an exercise is broken:\n{exc}") from None
        for path, message in result.broken:
            self.stderr.write(f"  BROKEN       {path} (left as it was):\n    {message}")
        for label, slugs in (
            ("new", result.created),
            ("new version", result.updated),
            ("retired", result.retired),
        ):
            for slug in slugs:
                self.stdout.write(f"  {label:<12} {slug}")
        for slug in result.web_edited:
            self.stdout.write(
                f"  {'web-edited':<12} {slug}: its folder is not taken, the web version stays "
                f"(export it from /teach/exercises/ and commit it, then --take-folder {slug})"
            )
        self.stdout.write(
            f"exercises: {len(result.created)} new, {len(result.updated)} updated, "
            f"{len(result.unchanged)} unchanged, {len(result.retired)} retired"
            + (f", {len(result.broken)} broken" if result.broken else "")
        )
