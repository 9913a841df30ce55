"""PgVectorStore: the VectorStore contract over PostgreSQL with pgvector, shared by every replica."""
from __future__ import annotations

import re
import threading
import uuid
from pathlib import Path

import numpy as np

from index import db, fsio
from index.errors import ConfigError, DatabaseError, IndexCorrupt, require
from index.storage.store import REBUILD_HINT, VectorStore

EXACT_BELOW = 20_000  # fewer rows than this are scanned exactly: a few ms, and the contract's exact results
EF_SEARCH = 100  # candidates HNSW keeps while searching (pgvector's default 40 is low for re-ranking 50)
EF_SEARCH_MAX = 1000  # pgvector's ceiling: a larger k is answered by an exact scan
HNSW_OPTIONS = "m = 16, ef_construction = 200"
# pgvector builds the HNSW graph in maintenance_work_mem (64 MB by default, ~29,000 rows of 384-d); beyond that it
# goes on building on disk, about ten times slower (bench/bench_pg.py). A build asks for what its rows need, capped.
BUILD_MEMORY_MB_MAX = 2048
_TOP = "SELECT id, (embedding <#> %s) AS d FROM {} ORDER BY d LIMIT %s"
SNAPSHOT_TABLE = re.compile(r"^qabot_vectors_[0-9a-f]{32}$")


def build_memory_mb(rows: int, dim: int) -> int:
    """Args: rows, dim: the store's size. Returns: megabytes of maintenance_work_mem its HNSW build is given."""
    graph = rows * (dim * 4 + 1024)  # the vector plus pgvector's element and neighbour lists (m = 16), generously
    return int(min(BUILD_MEMORY_MB_MAX, max(64, graph // 2**20 + 64)))


class PgVectorStore(VectorStore):
    """Vectors in PostgreSQL, searched by inner product (pgvector's <#>), HNSW-indexed once saved.

    A saved store is an immutable snapshot table named in the version folder (dense_pg.json), so every replica
    loading that folder searches the same rows, and rolling back to an older folder finds its table unchanged.
    Changes go to a private temporary table first (copied from the snapshot on the first change), which save()
    turns into a new snapshot table with its HNSW index (vector_ip_ops: inner product, the cosine of the
    normalised vectors the other backends score by).
    """

    kind = "pgvector"
    needs_database = True
    FILE = "dense_pg.json"

    def __init__(self, dim: int, database_url: str = "", *, exact_below: int = EXACT_BELOW) -> None:
        """Args:
            dim: vector length.
            database_url: the PostgreSQL URL ([database] url); required.
            exact_below: stores with fewer rows are searched by an exact scan instead of the HNSW index.

        Raises:
            ConfigError: no database URL. DatabaseError: it cannot be reached or lacks pgvector.
        """
        super().__init__(dim)
        if not database_url:
            raise ConfigError("the pgvector vector store needs a database",
                              hint="set [database] url or QABOT_DATABASE_URL=postgresql://...")
        self._sql = require("psycopg.sql", "psycopg[binary]")
        self.exact_below = exact_below
        self._lock = threading.Lock()  # one connection: a search's settings and query must not interleave
        self.url = database_url
        self._conn = db.connect(database_url, vectors=True)
        self._table: str | None = None
        self._private, self._count = False, 0

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        """Close the connection; a private table not saved is dropped with it."""
        self._conn.close()

    @property
    def table(self) -> str | None:
        """The table searched now: a snapshot's name, a private temporary one, or None while empty and new."""
        return self._table

    def _q(self, template: str):
        return self._sql.SQL(template).format(self._sql.Identifier(self._table))

    def _contains(self, ids):
        if self._table is None or not len(ids):
            return np.zeros(len(ids), dtype=bool)
        with self._lock:
            rows = self._conn.execute(self._q("SELECT id FROM {} WHERE id = ANY(%s)"), (ids.tolist(),)).fetchall()
        return np.isin(ids, np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))

    def _own(self) -> None:
        """Copy on the first change: snapshots stay as saved."""
        if self._private:
            return
        name = f"qabot_work_{uuid.uuid4().hex}"
        ident = self._sql.Identifier(name)
        self._conn.execute(self._sql.SQL("CREATE TEMPORARY TABLE {} (id bigint PRIMARY KEY, embedding vector({}) "
                                         "NOT NULL)").format(ident, self._sql.Literal(self.dim)))
        if self._table is not None:
            self._conn.execute(self._sql.SQL("INSERT INTO {} SELECT id, embedding FROM {}")
                               .format(ident, self._sql.Identifier(self._table)))
        self._table, self._private = name, True

    def _add(self, ids, vectors):
        with self._lock:
            self._own()
            with self._conn.cursor() as cur, \
                    cur.copy(self._q("COPY {} (id, embedding) FROM STDIN WITH (FORMAT BINARY)")) as copy:
                copy.set_types(["bigint", "vector"])
                for i, v in zip(ids.tolist(), vectors):
                    copy.write_row((i, v))
            self._count += len(ids)

    def _top(self, q, k):
        def run():
            scores = np.full((len(q), k), -np.inf, dtype=np.float32)
            found = np.full((len(q), k), -1, dtype=np.int64)
            with self._conn.transaction():
                self._settle(k)
                for r, vec in enumerate(q):
                    rows = self._conn.execute(self._q(_TOP), (vec, k)).fetchall()
                    found[r, :len(rows)] = [row[0] for row in rows]
                    scores[r, :len(rows)] = [-row[1] for row in rows]  # <#> is the negated inner product
            return scores, found

        with self._lock:
            return self._serving(run)

    def _serving(self, run):
        """Run a search; a saved snapshot's survives a database restart.

        A connection the server ended (a restart, an administrator) is known broken only once a statement fails on
        it, so a failed search of a snapshot is tried once more on a new connection. An unsaved store cannot: its
        private table lived in the lost session. A failure is a DatabaseError.
        """
        psycopg = require("psycopg", "psycopg[binary]")
        for attempt in (1, 2):
            try:
                return run()
            except psycopg.OperationalError as exc:
                if attempt == 2 or self._private:
                    raise db.lost(self.url, exc, "vector search in") from None
                self._conn.close()
                try:
                    self._conn = db.connect(self.url, vectors=True)
                except DatabaseError:
                    raise DatabaseError(f"vector search in {db.mask_url(self.url)}: the database is unreachable",
                                        hint="check that the server runs; the next search reconnects") from None

    def plan(self, query, k: int) -> str:
        """How PostgreSQL runs a search, for an operator checking whether the HNSW index is used.

        Args:
            query: one vector (dim,).
            k: results wanted.

        Returns:
            EXPLAIN's text for the query search() sends.
        """
        vec = self._as_matrix(np.atleast_2d(np.asarray(query, dtype=np.float32)), "query vectors")[0]
        if self._table is None:
            return "empty store: nothing to search"
        with self._lock, self._conn.transaction():
            self._settle(k)
            rows = self._conn.execute(self._q("EXPLAIN " + _TOP), (vec, k)).fetchall()
        return "\n".join(r[0] for r in rows)

    def _settle(self, k: int) -> None:
        """Choose exact or HNSW search for this transaction."""
        if self._private or self._count < self.exact_below or k > EF_SEARCH_MAX:
            # The snapshot's HNSW index would answer approximately: scan every row instead.
            self._conn.execute("SET LOCAL enable_indexscan = off")
        else:
            self._conn.execute(self._sql.SQL("SET LOCAL hnsw.ef_search = {}")
                               .format(self._sql.Literal(max(EF_SEARCH, k))))

    def _at_least(self, q, threshold):
        with self._lock:
            rows = self._serving(lambda: self._conn.execute(
                self._q("SELECT id, -(embedding <#> %s) AS s FROM {} WHERE -(embedding <#> %s) >= %s"),
                (q, q, threshold)).fetchall())
        return (np.array([r[1] for r in rows], dtype=np.float32), np.array([r[0] for r in rows], dtype=np.int64))

    def _remove(self, ids):
        with self._lock:
            self._own()
            removed = self._conn.execute(self._q("DELETE FROM {} WHERE id = ANY(%s)"), (ids.tolist(),)).rowcount
            self._count -= removed
        return removed

    def _save(self, folder):
        with self._lock:
            if self._private or self._table is None:
                self._snapshot()
        fsio.atomic_write_json(folder / self.FILE, {"table": self._table, "dim": self.dim})
        return [self.FILE]

    def _snapshot(self) -> None:
        """Freeze the private table into a new indexed snapshot, which later searches use."""
        sql = self._sql
        name = f"qabot_vectors_{uuid.uuid4().hex}"
        ident = sql.Identifier(name)
        with self._conn.transaction():
            self._conn.execute(sql.SQL("SET LOCAL maintenance_work_mem = {}")
                               .format(sql.Literal(f"{build_memory_mb(self._count, self.dim)}MB")))
            self._conn.execute(sql.SQL("CREATE TABLE {} (id bigint PRIMARY KEY, embedding vector({}) NOT NULL)")
                               .format(ident, sql.Literal(self.dim)))
            if self._table is not None:
                self._conn.execute(sql.SQL("INSERT INTO {} SELECT id, embedding FROM {}")
                                   .format(ident, sql.Identifier(self._table)))
            self._conn.execute(sql.SQL("CREATE INDEX {} ON {} USING hnsw (embedding vector_ip_ops) WITH ("
                                       + HNSW_OPTIONS + ")").format(sql.Identifier(name + "_hnsw"), ident))
        if self._private:
            self._conn.execute(self._q("DROP TABLE {}"))
        self._table, self._private = name, False

    @classmethod
    def _load(cls, folder, dim, database_url: str = ""):
        path = Path(folder) / cls.FILE
        meta = fsio.read_json(path)
        table = meta.get("table") if isinstance(meta, dict) else None
        if not isinstance(table, str) or not SNAPSHOT_TABLE.match(table) or meta.get("dim") != dim:
            raise IndexCorrupt(f"{path}: not a pgvector snapshot description of dimension {dim}", hint=REBUILD_HINT)
        store = cls(dim, database_url)
        # A vector(n) column's type modifier is n.
        row = store._conn.execute("SELECT a.atttypmod FROM pg_attribute a WHERE a.attrelid = to_regclass(%s) "
                                  "AND a.attname = 'embedding'", (table,)).fetchone()
        if row is None or row[0] != dim:
            store.close()
            found = "is missing from the database" if row is None else f"holds dimension {row[0]}"
            raise IndexCorrupt(f"{path}: its table {table} {found}", hint=REBUILD_HINT)
        store._table = table
        store._count = store._conn.execute(store._q("SELECT count(*) FROM {}")).fetchone()[0]
        return store
