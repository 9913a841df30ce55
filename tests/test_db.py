"""The database setting and connections: masked URLs, typed errors, reconnecting after the server dropped us."""
from __future__ import annotations

import numpy as np
import pytest

from index.config import load_config
from index.db import Database, connect, mask_url, ping
from index.errors import ConfigError, DatabaseError


@pytest.mark.parametrize("url, masked", [
    ("postgresql://qa:s3cret@db.example:5432/qabot", "postgresql://qa:***@db.example:5432/qabot"),
    ("postgresql://qa@db.example/qabot?sslmode=require", "postgresql://qa@db.example/qabot?sslmode=require"),
    ("postgresql://db.example/qabot?user=qa&password=s3cret", "postgresql://db.example/qabot?user=qa&password=***"),
    ("postgresql://qa:p%40ss@[::1]:5432/qabot", "postgresql://qa:***@[::1]:5432/qabot"),
    ("postgresql:///qabot?host=/run/postgresql", "postgresql:///qabot?host=/run/postgresql"),
])
def test_mask_url_hides_only_the_password(url, masked):
    assert mask_url(url) == masked


def test_database_url_is_empty_by_default_and_read_from_the_environment(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("", encoding="utf-8")
    assert load_config(path, env={}).database.url == ""
    url = "postgresql://qa:s3cret@db.example/qabot"
    config = load_config(path, env={"QABOT_DATABASE_URL": url})
    assert config.database.url == url
    assert "s3cret" not in repr(config)  # a logged Config never shows the password


def test_database_url_from_the_file_and_a_wrong_scheme_named_without_the_password(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[database]\nurl = "postgresql://qa@db.example/qabot"\n', encoding="utf-8")
    assert load_config(path, env={}).database.url == "postgresql://qa@db.example/qabot"
    with pytest.raises(ConfigError) as err:
        load_config(path, env={"QABOT_DATABASE_URL": "mysql://qa:s3cret@db.example/qabot"})
    assert "[database] url" in str(err.value) and "'mysql'" in str(err.value) and "s3cret" not in str(err.value)


def test_an_unreachable_server_is_a_database_error_without_the_password():
    url = "postgresql://qa:s3cret@127.0.0.1:9/qabot?connect_timeout=2"  # port 9 (discard): nothing listens
    with pytest.raises(DatabaseError) as err:
        connect(url)
    assert "s3cret" not in str(err.value) and "qa:***@127.0.0.1:9" in str(err.value)
    with pytest.raises(DatabaseError) as err:
        with Database(url).cursor() as cur:
            cur.execute("SELECT 1")
    assert "s3cret" not in str(err.value)
    assert "s3cret" not in repr(Database(url))


def test_numpy_vectors_go_in_and_come_back(pg_url):
    with connect(pg_url, vectors=True) as conn:
        v = np.array([0.5, -1.25, 3.0], dtype=np.float32)
        back = conn.execute("SELECT %s::vector(3), %s <#> %s", (v, v, v)).fetchone()
    np.testing.assert_array_equal(back[0].to_numpy(), v)
    assert back[1] == pytest.approx(-float(v @ v))


@pytest.mark.parametrize("size", [1, 4])
def test_a_connection_is_kept_between_calls_and_replaced_once_dropped(pg_url, size):
    database = Database(pg_url, size=size)
    with database.cursor() as cur:
        pid = cur.execute("SELECT pg_backend_pid()").fetchone()[0]
    with database.cursor() as cur:
        assert cur.execute("SELECT pg_backend_pid()").fetchone()[0] == pid  # the same connection, kept
    with connect(pg_url) as admin:  # the server ends our session, as a restart or failover would
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(DatabaseError):
        with database.cursor() as cur:
            cur.execute("SELECT 1")
    with database.cursor() as cur:
        assert cur.execute("SELECT pg_backend_pid()").fetchone()[0] != pid
    database.close()


def test_a_transaction_is_rolled_back_whole_on_an_error(pg_url):
    database = Database(pg_url)
    with database.cursor() as cur:
        cur.execute("CREATE TABLE t (n int PRIMARY KEY)")
    with pytest.raises(ZeroDivisionError):
        with database.cursor(transaction=True) as cur:
            cur.execute("INSERT INTO t VALUES (1)")
            raise ZeroDivisionError
    with database.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM t").fetchone()[0] == 0
    database.close()


def test_the_readiness_probe_follows_a_stopped_and_restarted_server_once_its_answer_is_stale(pg_own):
    from bot.readiness import DatabaseCheck

    now = [0.0]
    check = DatabaseCheck(pg_own.url, cache_sec=1.0, clock=lambda: now[0])
    assert ping(pg_own.url) == "" and check.problem() == ""
    pg_own.stop()
    try:
        found = ping(pg_own.url)
        assert found and "cannot connect" in found
        assert check.problem() == ""  # the answer of a moment ago is reused: /readyz stays one probe a second
        now[0] += 1.0
        assert "cannot connect" in check.problem()
    finally:
        pg_own.start()
    assert check.problem()  # still the cached failure
    now[0] += 1.0
    assert check.problem() == "" and ping(pg_own.url) == ""


def test_a_failed_probe_names_the_server_without_the_password():
    found = ping("postgresql://qa:s3cret@127.0.0.1:9/qabot?connect_timeout=2")  # nothing listens on port 9
    assert "qa:***@127.0.0.1:9" in found and "s3cret" not in found


def test_connections_bound_a_vanished_peer_unless_the_url_says_otherwise(pg_url):
    from index.db import TCP_BOUNDS, connect

    with connect(pg_url) as conn:
        params = conn.info.get_parameters()
    assert {k: params.get(k) for k in TCP_BOUNDS} == {k: str(v) for k, v in TCP_BOUNDS.items()}
    assert params.get("connect_timeout") == "5"
    own = pg_url + ("&" if "?" in pg_url else "?") + "keepalives_idle=60&connect_timeout=3"
    with connect(own) as conn:
        params = conn.info.get_parameters()
    assert params.get("keepalives_idle") == "60" and params.get("connect_timeout") == "3"
    assert params.get("tcp_user_timeout") == "30000"


def test_a_slow_statement_does_not_hold_up_another_threads(pg_url):
    import threading

    database = Database(pg_url)
    entered, done = threading.Event(), threading.Event()

    def slow():
        with database.cursor() as cur:
            entered.set()
            cur.execute("SELECT pg_sleep(3)")
        done.set()

    worker = threading.Thread(target=slow)
    worker.start()
    assert entered.wait(30)
    with database.cursor() as cur:  # one connection would wait here for the sleep to end
        assert cur.execute("SELECT 1").fetchone() == (1,)
    assert not done.is_set()
    worker.join()
    database.close()
