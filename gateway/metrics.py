"""Prometheus metrics for /metrics (prometheus_client).

How this stays right with many gunicorn processes, RQ workers on other hosts, and restarts:

- Almost everything is read at scrape time from the shared stores, so every process of every host
  answers the same numbers:
  * gauges from the database: cases by status, outbound messages by state, deadlines breached now;
  * gauges from Redis (RQ's own keys): jobs queued, started, failed, scheduled, deferred per queue;
  * the two counters the issue asks for are derived from the inbound table, which is never deleted
    from (retention empties payloads only): `gateway_inbound_messages_total{channel}` and the
    histogram `gateway_intake_latency_seconds{channel}` (received_at -> processed_at, i.e. until the
    intake worker had made the message a routed case - measured where both ends are recorded, so the
    worker process needs no metrics endpoint of its own).
  Each process keeps a running tally and on each scrape reads only the rows past its watermark
  (indexed: inbound.received_at, and (processed_at, received_at)); the first scrape of a process reads
  the whole history once. Rows are only counted once they are `settle_seconds` old, so that a
  transaction committed a little after its timestamp is not skipped by the watermark.
- Per-process metrics (`PROCESS_REGISTRY`: HTTP requests by endpoint and their duration) are plain
  prometheus_client counters. Under gunicorn each worker counts its own requests; set
  PROMETHEUS_MULTIPROC_DIR (an empty directory, before the processes start) to have them summed
  across the processes of a host by prometheus_client's multiprocess mode.

A store that does not answer is reported as `gateway_database_up 0` / `gateway_redis_up 0` and its
metrics are left out of that scrape (Prometheus then shows a gap, not a false zero).
"""

from __future__ import annotations

import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from gateway import jobs
from gateway.db import Database
from gateway.models import Case, CaseStatus, InboundMessage, OutboundMessage
from gateway.reports.sql import seconds_between

LATENCY_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
DEFAULT_SETTLE_SECONDS = 30

# Per-process metrics; registered once per process, never per app (tests build many apps).
PROCESS_REGISTRY = CollectorRegistry(auto_describe=True)
HTTP_REQUESTS = Counter(
    "gateway_http_requests",
    "HTTP requests answered, by endpoint and status code (per process unless multiprocess mode).",
    ["endpoint", "status"],
    registry=PROCESS_REGISTRY,
)
HTTP_SECONDS = Histogram(
    "gateway_http_request_seconds",
    "Time to answer an HTTP request, by endpoint (per process unless multiprocess mode).",
    ["endpoint"],
    registry=PROCESS_REGISTRY,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0),
)


def observe_request(endpoint: str | None, status: int, seconds: float) -> None:
    name = endpoint or "unmatched"  # unknown URLs share one label: no cardinality from scanners
    HTTP_REQUESTS.labels(name, str(status)).inc()
    HTTP_SECONDS.labels(name).observe(seconds)


class _InboundTally:
    """Monotonic totals over the inbound table, advanced by watermark on each scrape."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received_mark: datetime | None = None
        self.processed_mark: datetime | None = None
        self.received: dict[str, int] = defaultdict(int)
        self.latency_count: dict[str, int] = defaultdict(int)
        self.latency_sum: dict[str, float] = defaultdict(float)
        self.latency_buckets: dict[str, list[int]] = defaultdict(lambda: [0] * len(LATENCY_BUCKETS))

    def advance(self, session: Session, settled: datetime) -> None:
        received = select(InboundMessage.channel, func.count()).where(InboundMessage.received_at <= settled)
        if self.received_mark is not None:
            received = received.where(InboundMessage.received_at > self.received_mark)
        counts = session.execute(received.group_by(InboundMessage.channel)).all()

        latency = seconds_between(InboundMessage.processed_at, InboundMessage.received_at)
        processed = select(
            InboundMessage.channel,
            func.count(),
            func.sum(latency),
            *(func.sum(case((latency <= bound, 1), else_=0)) for bound in LATENCY_BUCKETS),
        ).where(InboundMessage.processed_at.is_not(None), InboundMessage.processed_at <= settled)
        if self.processed_mark is not None:
            processed = processed.where(InboundMessage.processed_at > self.processed_mark)
        observed = session.execute(processed.group_by(InboundMessage.channel)).all()

        # Both queries succeeded: only now move the marks, so a failed scrape loses nothing.
        for channel, count in counts:
            self.received[channel] += count
        for channel, count, total, *buckets in observed:
            self.latency_count[channel] += count
            self.latency_sum[channel] += float(total or 0)
            mine = self.latency_buckets[channel]
            for i, n in enumerate(buckets):
                mine[i] += int(n or 0)
        self.received_mark = settled
        self.processed_mark = settled

    def families(self) -> Iterator[Metric]:
        inbound = CounterMetricFamily(
            "gateway_inbound_messages",
            "Inbound messages accepted (durable rows), by channel; counted from the database.",
            labels=["channel"],
        )
        for channel, count in sorted(self.received.items()):
            inbound.add_metric([channel], count)
        yield inbound
        histogram = HistogramMetricFamily(
            "gateway_intake_latency_seconds",
            "From a message's arrival to its routed case (inbound received_at -> processed_at), by channel.",
            labels=["channel"],
        )
        for channel, count in sorted(self.latency_count.items()):
            cumulative = self.latency_buckets[channel]
            buckets = [(_bound(b), n) for b, n in zip(LATENCY_BUCKETS, cumulative, strict=True)]
            buckets.append(("+Inf", count))
            histogram.add_metric([channel], buckets, sum_value=self.latency_sum[channel])
        yield histogram


def _bound(value: float) -> str:
    return f"{value:g}" if value != int(value) else f"{value:.1f}"


class GatewayCollector(Collector):
    """Reads the database and Redis at scrape time (see the module docstring)."""

    def __init__(
        self,
        database: Database,
        redis: Callable[[], Redis],
        *,
        queues: Iterable[str] = jobs.QUEUES,
        settle_seconds: int = DEFAULT_SETTLE_SECONDS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.database = database
        self.redis = redis
        self.queues = tuple(queues)
        self.settle = timedelta(seconds=settle_seconds)
        self.clock = clock
        self.tally = _InboundTally()

    def collect(self) -> Iterator[Metric]:
        now = self.clock()
        yield from self._database(now)
        yield from self._redis()

    def _database(self, now: datetime) -> Iterator[Metric]:
        up = GaugeMetricFamily("gateway_database_up", "1 when the database answered this scrape.")
        try:
            with self.database.session() as session, self.tally.lock:
                self.tally.advance(session, now - self.settle)
                statuses = session.execute(select(Case.status, func.count()).group_by(Case.status)).all()
                states = session.execute(
                    select(OutboundMessage.state, func.count()).group_by(OutboundMessage.state)
                ).all()
                breached = session.execute(_breached(now)).one()
        except SQLAlchemyError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from self.tally.families()
        cases = GaugeMetricFamily("gateway_cases", "Cases by status.", labels=["status"])
        by_status = dict(statuses)
        for status in (*CaseStatus.OPEN, CaseStatus.CLOSED):
            cases.add_metric([status], by_status.pop(status, 0))
        for status, count in sorted(by_status.items()):
            cases.add_metric([status], count)
        yield cases
        outbound = GaugeMetricFamily("gateway_outbound_messages", "Outbound SMS by delivery state.", labels=["state"])
        for state, count in sorted(states):
            outbound.add_metric([state], count)
        yield outbound
        deadlines = GaugeMetricFamily(
            "gateway_deadlines_breached",
            "Open cases past a deadline now: sign (routed, not signed), reply (no reply yet), close;"
            " overdue is the tracker's definition (past close, or past reply without one).",
            labels=["deadline"],
        )
        for name, count in zip(("sign", "reply", "close", "overdue"), breached, strict=True):
            deadlines.add_metric([name], int(count or 0))
        yield deadlines

    def _redis(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("gateway_redis_up", "1 when Redis answered this scrape.")
        depth = GaugeMetricFamily(
            "gateway_queue_jobs",
            "RQ jobs per queue and registry (queued, started, failed...).",
            labels=["queue", "state"],
        )
        try:
            from rq import Queue  # the web process needs RQ only when scraped

            conn = self.redis()
            for name in self.queues:
                queue = Queue(name, connection=conn)
                depth.add_metric([name, "queued"], queue.count)
                registries = {
                    "started": queue.started_job_registry,
                    "failed": queue.failed_job_registry,
                    "scheduled": queue.scheduled_job_registry,
                    "deferred": queue.deferred_job_registry,
                }
                for state, registry in registries.items():
                    # cleanup=False: a scrape must not move jobs between registries.
                    depth.add_metric([name, state], registry.get_job_count(cleanup=False))
        except (RedisError, OSError):
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield depth


def _breached(now: datetime):
    is_open = Case.status.in_(CaseStatus.OPEN)
    sign = and_(Case.status == CaseStatus.ROUTED, Case.sign_due <= now)
    reply = and_(Case.first_reply_at.is_(None), Case.reply_due <= now)
    close = Case.close_due <= now
    overdue = or_(close, reply)

    def n(condition):
        return func.sum(case((condition, 1), else_=0))

    return select(n(sign), n(reply), n(close), n(overdue)).where(is_open)


class MetricsExporter:
    """The registry one app serves: the scrape-time collector plus this process's (or host's) metrics."""

    def __init__(self, collector: GatewayCollector) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(collector)
        self.registry.register(_ProcessMetrics())

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _ProcessMetrics(Collector):
    def collect(self) -> Iterator[Metric]:
        directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if directory:
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=directory)
            yield from registry.collect()
        else:
            yield from PROCESS_REGISTRY.collect()
