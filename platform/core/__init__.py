"""What every app of the platform builds on and nothing of the platform: domain errors, the claim
of queued work, prepared queries. It imports no app (import-linter checks it: pyproject.toml)."""
