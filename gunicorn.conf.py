"""gunicorn settings for the web process: the Procfile and the benchmarks (gateway and baseline) use these.

Threads, because a webhook spends part of its time waiting on PostgreSQL and Redis; processes, because
the Python work of a request holds the GIL. WEB_CONCURRENCY and WEB_THREADS override the defaults.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
# Twilio gives a webhook 15 s; a request still running after 30 s is stuck, not slow.
timeout = 30
# An empty WEB_ACCESS_LOG turns the access log off (the benchmarks do, for gateway and baseline alike).
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None
