"""One suite for every RateLimiter (in process, PostgreSQL): bursts, refill, separate keys, bounded state, threads."""
from __future__ import annotations

import dataclasses
import threading

import pytest

from bot.state.pgratelimit import PgRateLimiter
from bot.state.ratelimit import TokenBucketLimiter, open_rate_limiter
from index.config import ServerConfig, TelegramConfig
from tests.conftest import make_config


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "postgres"])
def make(request):
    """Builds a limiter of the backend under test: make(capacity, refill_per_sec, clock=None)."""
    if request.param == "memory":
        yield lambda capacity, refill, clock=None: TokenBucketLimiter(
            capacity, refill, **({"clock": clock} if clock else {}))
        return
    url = request.getfixturevalue("pg_url")
    opened = []

    def build(capacity, refill, clock=None):
        opened.append(PgRateLimiter(url, capacity, refill, clock=clock))
        return opened[-1]

    yield build
    for limiter in opened:
        limiter.close()


def test_burst_up_to_capacity_then_refused_with_retry_after(make):
    clock = Clock()
    limiter = make(3, 0.5, clock)
    assert [limiter.check("a").allowed for _ in range(3)] == [True, True, True]
    refused = limiter.check("a")
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(2.0)  # one token at 0.5 tokens/s


def test_tokens_come_back_at_the_refill_rate_and_never_above_capacity(make):
    clock = Clock()
    limiter = make(2, 1.0, clock)
    limiter.check("a"), limiter.check("a")
    assert not limiter.check("a").allowed
    clock.now += 1.0
    assert limiter.check("a").allowed
    assert not limiter.check("a").allowed
    clock.now += 3600  # a long pause refills to capacity, not beyond
    assert [limiter.check("a").allowed for _ in range(3)] == [True, True, False]


def test_refused_requests_do_not_push_the_next_token_further_away(make):
    clock = Clock()
    limiter = make(1, 1.0, clock)
    assert limiter.check("a").allowed
    for _ in range(10):
        assert not limiter.check("a").allowed
    clock.now += 1.0
    assert limiter.check("a").allowed


def test_keys_are_independent(make):
    clock = Clock()
    limiter = make(1, 0.1, clock)
    assert limiter.check("ask:10.0.0.1").allowed
    assert not limiter.check("ask:10.0.0.1").allowed
    assert limiter.check("ask:10.0.0.2").allowed
    assert limiter.check("feedback:10.0.0.1").allowed


def test_memory_stays_bounded_under_a_flood_of_clients():
    clock = Clock()
    limiter = TokenBucketLimiter(5, 1.0, max_keys=100, clock=clock)
    for i in range(10_000):
        limiter.check(f"client-{i}")
        clock.now += 0.001
    assert len(limiter) <= 100


def test_pruning_keeps_clients_that_are_still_limited():
    clock = Clock()
    limiter = TokenBucketLimiter(2, 0.01, max_keys=10, clock=clock)
    for i in range(30):
        clock.now += 150  # 1.5 tokens a round: a one-off client is full again by the next round
        limiter.check("noisy"), limiter.check("noisy")  # keeps its bucket near empty
        limiter.check(f"quiet-{i}")
    assert len(limiter) <= 10
    assert not limiter.check("noisy").allowed  # forgetting it would have handed it a fresh burst


def test_concurrent_checks_never_hand_out_more_tokens_than_the_bucket_holds(make):
    limiter = make(40, 1e-6)  # effectively no refill during the test
    allowed = []
    lock = threading.Lock()

    def worker():
        mine = sum(limiter.check("shared").allowed for _ in range(20))
        with lock:
            allowed.append(mine)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(allowed) == 40  # 160 checks


def test_from_config_reads_the_section_limits():
    limiter = TokenBucketLimiter.from_config(ServerConfig(rate_capacity=7, rate_refill_per_sec=3.0))
    assert (limiter.capacity, limiter.refill_per_sec) == (7.0, 3.0)
    limiter = TokenBucketLimiter.from_config(TelegramConfig())
    assert limiter.capacity == TelegramConfig().rate_capacity


@pytest.mark.parametrize("capacity, refill", [(0, 1.0), (5, 0.0), (5, -1.0)])
def test_nonsense_limits_are_refused(make, capacity, refill):
    with pytest.raises(ValueError):
        make(capacity, refill)


def test_two_replicas_spend_one_budget_per_client(pg_url):
    replicas = [PgRateLimiter(pg_url, 50, 1e-6) for _ in range(2)]  # each with its own connection
    allowed = []
    lock = threading.Lock()

    def worker(limiter):
        mine = sum(limiter.check("ask:10.0.0.1").allowed for _ in range(40))
        with lock:
            allowed.append(mine)

    threads = [threading.Thread(target=worker, args=(replicas[n % 2],)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(allowed) == 50  # 160 checks from two replicas, one bucket of 50
    assert not replicas[1].check("ask:10.0.0.1").allowed and replicas[0].check("ask:10.0.0.2").allowed
    for limiter in replicas:
        limiter.close()


def test_shared_limits_of_different_scopes_keep_separate_buckets(pg_url):
    clock = Clock()
    server = PgRateLimiter(pg_url, 1, 0.01, scope="server", clock=clock)
    telegram = PgRateLimiter(pg_url, 1, 0.01, scope="telegram", clock=clock)
    assert server.check("42").allowed and not server.check("42").allowed
    assert telegram.check("42").allowed
    server.close(), telegram.close()


def test_shared_buckets_that_refilled_are_pruned_and_limited_ones_kept(pg_url):
    clock = Clock()
    limiter = PgRateLimiter(pg_url, 2, 0.01, prune_every=10, clock=clock)
    for i in range(30):
        clock.now += 150  # 1.5 tokens a round: a one-off client is full again by the next round
        limiter.check("noisy"), limiter.check("noisy")
        limiter.check(f"quiet-{i}")
    assert len(limiter) <= 12  # at most the ten since the last pruning, the noisy one, and one more
    assert not limiter.check("noisy").allowed
    limiter.close()


def test_the_setting_chooses_a_shared_limiter(tmp_path, pg_url):
    config = make_config(tmp_path)
    assert isinstance(open_rate_limiter(config, config.server, "server"), TokenBucketLimiter)
    shared = config.replace(database=dataclasses.replace(config.database, url=pg_url))
    limiter = open_rate_limiter(shared, shared.telegram, "telegram")
    assert isinstance(limiter, PgRateLimiter) and limiter.scope == "telegram"
    assert limiter.capacity == shared.telegram.rate_capacity
    limiter.close()


def test_a_shared_limiter_lets_requests_through_while_the_database_is_down(pg_url, caplog):
    from index.db import connect

    limiter = PgRateLimiter(pg_url, 1, 0.01)
    assert limiter.check("a").allowed and not limiter.check("a").allowed
    with limiter.db.cursor() as cur:
        pid = cur.execute("SELECT pg_backend_pid()").fetchone()[0]
    with connect(pg_url) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    assert limiter.check("a").allowed  # the connection was lost: the citizen is not refused for it
    assert "rate limit not checked" in caplog.text
    assert not limiter.check("a").allowed  # reconnected: the budget is the shared one again
    limiter.close()
