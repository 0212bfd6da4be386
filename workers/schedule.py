"""Periodic jobs, declared as data for `rq cron workers.schedule` (the Procfile's cron line).

Each is idempotent and reads the database for what is due, so a missed or doubled tick is harmless.
"""

from rq import cron

from gateway.jobs import INTAKE, NOTIFY, TRACKER
from workers.intake import reconcile_job
from workers.maintenance import purge_job
from workers.notify import followup_sweep_job, reconcile_outbox_job
from workers.tracker import sweep_job

# Inbound rows whose intake job was lost (Redis restarted empty, a worker killed mid-job).
cron.register(reconcile_job, INTAKE, interval=30, name="reconcile-intake")
# Outbox rows whose send job was lost, or whose retry is due.
cron.register(reconcile_outbox_job, NOTIFY, interval=60, name="reconcile-outbox")
# Reminders, holding replies, escalations and notices (the deadline tracker).
cron.register(sweep_job, TRACKER, interval=60, name="tracker-sweep")
# Satisfaction follow-up: one reminder after 3 days, then "no rating".
cron.register(followup_sweep_job, NOTIFY, interval=3600, name="followup-sweep")
# Raw payloads and recordings past their retention (config/retention.toml), once a day at 03:30.
cron.register(purge_job, TRACKER, cron="30 3 * * *", name="retention-purge")
