"""What every publication of a Celery message shares."""

from __future__ import annotations

# Fail fast when the broker is away (two quick retries, then the caller's fallback): the row is
# saved as queued either way, and the sweeper publishes it again once the broker is back.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.1, "interval_step": 0.5}
