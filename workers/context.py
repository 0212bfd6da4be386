"""The runtime a job uses, built once per worker process from the environment."""

from __future__ import annotations

from gateway.logging_setup import configure_logging
from gateway.runtime import Runtime
from gateway.settings import Settings

_runtime: Runtime | None = None


def runtime() -> Runtime:
    global _runtime
    if _runtime is None:
        # Worker logs are JSON with the job id, and phone numbers redacted, as the web's are.
        configure_logging()
        _runtime = Runtime(Settings.from_env())
    return _runtime


def install(rt: Runtime | None) -> None:
    """Use `rt` for jobs run in this process (tests run real workers in-process against their database)."""
    global _runtime
    _runtime = rt
