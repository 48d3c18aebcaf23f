"""Celery tasks of the LTI app: send one score to an LMS; sweep the sends left behind.

`send_score` is thin and safe to run twice: it claims its ScoreSend row (lti/outbox.py), sends
the student's effective score as it is then, and marks the row. Only an LMS that cannot be
reached (or answers 5xx/429) is retried, after 1, 2, 4... times LTI_SEND_BACKOFF seconds, at
most LTI_SEND_MAX_RETRIES times; the row then stays pending and the sweeper, run by celery beat
every LTI_SWEEP_INTERVAL seconds, publishes it again: a score waits for its LMS as long as it
takes. A refusal (4xx) is not retried: the instructor sees it.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.conf import settings

from lti import outbox
from lti.platform_api import PlatformRefused, PlatformUnavailable

logger = logging.getLogger(__name__)

BACKOFF_CAP_SECONDS = 3600


@shared_task(bind=True, name="lti.tasks.send_score", max_retries=None, ignore_result=True)
def send_score(self: Task, send_id: int) -> str:
    claim = outbox.send_claim(send_id=send_id)
    if claim is None:
        return "not pending"
    try:
        return outbox.send_one(claim)
    except PlatformUnavailable as error:
        # Give the row back first: if the retry message is lost, the sweeper finds it pending.
        outbox.send_release(claim, str(error))
        retries = self.request.retries
        if retries >= settings.LTI_SEND_MAX_RETRIES:
            logger.warning("score send %s: LMS still unavailable; left to the sweeper", send_id)
            return "left to the sweeper"
        delay = min(settings.LTI_SEND_BACKOFF * 2**retries, BACKOFF_CAP_SECONDS)
        raise self.retry(countdown=delay) from None
    except PlatformRefused as error:
        outbox.send_failed(claim, str(error))
        return "refused"
    except Exception as error:
        # Our own failure (a bug, the database away): the row must not stay claimed.
        outbox.send_release(claim, f"deepgrade could not send it: {type(error).__name__}")
        raise


@shared_task(name="lti.tasks.sweep_score_sends", ignore_result=True)
def sweep_score_sends() -> int:
    ids = outbox.sweep()
    outbox.publish_now(ids)
    return len(ids)
