"""Token-bucket rate limiter: bursts, refill, separate keys, bounded memory, thread safety."""
from __future__ import annotations

import threading

import pytest

from bot.ratelimit import TokenBucketLimiter
from index.config import ServerConfig, TelegramConfig


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_up_to_capacity_then_refused_with_retry_after():
    clock = Clock()
    limiter = TokenBucketLimiter(3, 0.5, clock=clock)
    assert [limiter.check("a").allowed for _ in range(3)] == [True, True, True]
    refused = limiter.check("a")
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(2.0)  # one token at 0.5 tokens/s


def test_tokens_come_back_at_the_refill_rate_and_never_above_capacity():
    clock = Clock()
    limiter = TokenBucketLimiter(2, 1.0, clock=clock)
    limiter.check("a"), limiter.check("a")
    assert not limiter.check("a").allowed
    clock.now += 1.0
    assert limiter.check("a").allowed
    assert not limiter.check("a").allowed
    clock.now += 3600  # a long pause refills to capacity, not beyond
    assert [limiter.check("a").allowed for _ in range(3)] == [True, True, False]


def test_refused_requests_do_not_push_the_next_token_further_away():
    clock = Clock()
    limiter = TokenBucketLimiter(1, 1.0, clock=clock)
    assert limiter.check("a").allowed
    for _ in range(10):
        assert not limiter.check("a").allowed
    clock.now += 1.0
    assert limiter.check("a").allowed


def test_keys_are_independent():
    clock = Clock()
    limiter = TokenBucketLimiter(1, 0.1, clock=clock)
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


def test_concurrent_checks_never_hand_out_more_tokens_than_the_bucket_holds():
    limiter = TokenBucketLimiter(100, 1e-6)  # effectively no refill during the test
    allowed = []
    lock = threading.Lock()

    def worker():
        mine = sum(limiter.check("shared").allowed for _ in range(100))
        with lock:
            allowed.append(mine)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(allowed) == 100


def test_from_config_reads_the_section_limits():
    limiter = TokenBucketLimiter.from_config(ServerConfig(rate_capacity=7, rate_refill_per_sec=3.0))
    assert (limiter.capacity, limiter.refill_per_sec) == (7.0, 3.0)
    limiter = TokenBucketLimiter.from_config(TelegramConfig())
    assert limiter.capacity == TelegramConfig().rate_capacity


@pytest.mark.parametrize("capacity, refill", [(0, 1.0), (5, 0.0), (5, -1.0)])
def test_nonsense_limits_are_refused(capacity, refill):
    with pytest.raises(ValueError):
        TokenBucketLimiter(capacity, refill)
