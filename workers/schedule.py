"""Periodic jobs, declared as data for `rq cron workers.schedule` (the Procfile's cron line).

Each is idempotent and reads the database for what is due, so a missed or doubled tick is harmless.
"""

from rq import cron

from gateway.jobs import INTAKE, TRACKER
from workers.intake import reconcile_job

# Inbound rows whose intake job was lost (Redis restarted empty, a worker killed mid-job).
cron.register(reconcile_job, INTAKE, interval=30, name="reconcile-intake")

try:  # the tracker's sweep, when the tracker is installed
    from workers.tracker import sweep_job
except ImportError:  # pragma: no cover
    sweep_job = None
if sweep_job is not None:
    cron.register(sweep_job, TRACKER, interval=60, name="tracker-sweep")
