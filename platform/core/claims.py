"""Claiming queued work, one way for every table that has it (submissions, draft validations).

A row goes queued -> running -> (its end state). A worker *claims* a queued row with one
conditional UPDATE that also writes a fresh token; only the run holding that token may move it
on, so two deliveries of one message, a sweeper and a slow worker can race on a row and the
database decides who wins (docs/architecture.md, "The submission's way"). The sweeper finds
rows stuck on the way: queued long ago (their message may be lost: publish it again) or running
long ago (their worker died).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet

# At most this many stuck rows per sweep and per kind: the rest waits for the next sweep.
SWEEP_BATCH = 500


@dataclass(frozen=True)
class ClaimColumns:
    """Which columns of a table hold a row's place on its way, and the states that matter."""

    model: type[models.Model]
    state: str
    queued: str
    running: str
    token: str
    started_at: str
    queued_at: str

    def claim_values(self, token: uuid.UUID, now: datetime) -> dict[str, Any]:
        """What a claim writes: running, under `token`, since `now`."""
        return {self.state: self.running, self.token: token, self.started_at: now}

    def claim(
        self, pk: int, *, now: datetime, also: Q | None = None, **values: Any
    ) -> uuid.UUID | None:
        """queued (or `also`) -> running for exactly one caller: its token, or None when another
        caller got there first (nothing got updated), and then the caller must do nothing."""
        token = uuid.uuid4()
        claimable = Q(**{self.state: self.queued})
        if also is not None:
            claimable |= also
        updated = (
            self.model._default_manager.filter(pk=pk)
            .filter(claimable)
            .update(**self.claim_values(token, now), **values)
        )
        return token if updated == 1 else None

    def held(self, pk: int, token: uuid.UUID) -> QuerySet[Any]:
        """The row while the claim `token` holds it: update it to move the row on, and an
        update of 0 rows means the claim was lost (superseded, or rescued by the sweeper)."""
        return self.model._default_manager.filter(
            pk=pk, **{self.state: self.running, self.token: token}
        )

    def running_since(self, cutoff: datetime) -> QuerySet[Any]:
        """Rows running since before `cutoff`: their worker died (the task's hard time limit is
        shorter than the wait)."""
        return self.model._default_manager.filter(
            **{self.state: self.running, f"{self.started_at}__lt": cutoff}
        )

    def republish_queued(
        self,
        *,
        now: datetime,
        after: float,
        publish: Callable[[int, Any], None],
        backoff: Callable[[Any], float] | None = None,
        fields: tuple[str, ...] = (),
    ) -> list[int]:
        """Publish again the messages of rows queued for more than `after` seconds (a broker
        restarted, a publication failed). `backoff(row)`, if given, is how long a row waits
        between republications (rows are (pk, queued_at, *fields)). A duplicate message is
        harmless: only one delivery can claim the row. Returns the ids published again."""
        manager = self.model._default_manager
        stuck = (
            manager.filter(
                **{self.state: self.queued, f"{self.queued_at}__lt": now - timedelta(seconds=after)}
            )
            .order_by(self.queued_at)
            .values_list("pk", self.queued_at, *fields)[:SWEEP_BATCH]
        )
        published = []
        for row in stuck:
            pk, queued_at = row[0], row[1]
            if backoff is not None and queued_at > now - timedelta(seconds=backoff(row)):
                continue
            # The queued_at we read is the condition: of two sweepers, one republishes.
            still_queued = {self.state: self.queued, self.queued_at: queued_at}
            if manager.filter(pk=pk, **still_queued).update(**{self.queued_at: now}):
                published.append(pk)
                publish(pk, row)
        return published
