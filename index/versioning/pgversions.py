"""Index versions shared through PostgreSQL: a version made on one replica is served by every replica."""
from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from index.db import Database
from index.errors import IndexCorrupt, require
from index.storage.pgstore import SNAPSHOT_TABLE, PgVectorStore
from index.versioning.versions import MANIFEST, VersionStore

_SCHEMA_LOCK = 0x71AB07_04  # replicas starting together create the tables once
_SCHEMA = """
CREATE TABLE IF NOT EXISTS qabot_index_files (
    version text NOT NULL,
    path    text NOT NULL,
    data    bytea NOT NULL,
    PRIMARY KEY (version, path)
);
CREATE TABLE IF NOT EXISTS qabot_index_current (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    version text NOT NULL,
    changed double precision NOT NULL
);
"""
_HINT = "publish a version again from the staff machine (`python -m index rebuild`)"


def _table_of(data: bytes) -> str | None:
    """Args: data: a version's dense_pg.json. Returns: the snapshot table it names, or None when unreadable."""
    try:
        table = json.loads(bytes(data)).get("table")
    except (ValueError, AttributeError):
        return None
    return table if isinstance(table, str) and SNAPSHOT_TABLE.match(table) else None


class SharedVersions:
    """The shared copy of one replica's index versions: every file of each version, and which one is served.

    The staff command line publishes a version after it changed the served one; every replica pulls the served
    version (downloading it once into its own versions folder) and its reload loop then serves it. Files and the
    pointer are written in one transaction, so a replica never sees a pointer to a version not fully stored.
    """

    def __init__(self, url: str, versions: VersionStore) -> None:
        """Args:
            url: the [database] url.
            versions: this replica's index versions (config.index_dir).

        Raises:
            DatabaseError: the server cannot be reached.
        """
        self.versions = versions
        self.db = Database(url)
        self.db.ensure_schema(_SCHEMA_LOCK, _SCHEMA)

    def served(self) -> str | None:
        """Returns: the name of the version every replica should serve, or None before anything was published."""
        with self.db.cursor() as cur:
            row = cur.execute("SELECT version FROM qabot_index_current").fetchone()
        return row[0] if row else None

    def publish(self) -> str | None:
        """Store this replica's current version (once) and make it the one every replica serves.

        Returns:
            Its name, or None when this replica has no version. Versions this replica no longer keeps are dropped
            from the database.
        """
        path = self.versions.current_path()
        if path is None:
            return None
        name = path.name
        sql = require("psycopg.sql", "psycopg[binary]")
        with self.db.cursor(transaction=True) as cur:
            stored = cur.execute("SELECT 1 FROM qabot_index_files WHERE version = %s AND path = %s",
                                 (name, MANIFEST)).fetchone()
            if not stored:
                cur.execute("DELETE FROM qabot_index_files WHERE version = %s", (name,))
                for file in sorted(p for p in path.rglob("*") if p.is_file()):
                    cur.execute("INSERT INTO qabot_index_files (version, path, data) VALUES (%s, %s, %s)",
                                (name, file.relative_to(path).as_posix(), file.read_bytes()))
            cur.execute("INSERT INTO qabot_index_current (one, version, changed) "
                        "VALUES (true, %s, extract(epoch FROM clock_timestamp())) "
                        "ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version, changed = EXCLUDED.changed",
                        (name,))
            kept = self.versions.names()
            # A pruned version built on pgvector leaves its snapshot table: dropped with the version's files,
            # unless a kept version names the same table.
            tables = cur.execute("SELECT version, data FROM qabot_index_files WHERE path = %s",
                                 (PgVectorStore.FILE,)).fetchall()
            doomed = {_table_of(data) for version, data in tables if version not in kept} - \
                {_table_of(data) for version, data in tables if version in kept}
            for table in sorted(t for t in doomed if t):
                cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))
            cur.execute("DELETE FROM qabot_index_files WHERE version <> ALL(%s)", (kept,))
        return name

    def pull(self) -> str | None:
        """Serve here the version every replica should serve, downloading it if this replica lacks it.

        Returns:
            The version switched to, or None when nothing changed.

        Raises:
            IndexCorrupt: the stored version is incomplete or names a path outside its folder.
        """
        name = self.served()
        if name is None or name == self.versions.current():
            return None
        if name in self.versions.names():  # a rollback to a version this replica still keeps
            self.versions.rollback(name)
            return name
        staging = self.versions.begin()
        try:
            with self.db.cursor() as cur:
                cur.execute("SELECT path, data FROM qabot_index_files WHERE version = %s", (name,))
                for rel, data in cur:
                    _target(staging, rel, name).parent.mkdir(parents=True, exist_ok=True)
                    _target(staging, rel, name).write_bytes(data)
            self.versions.adopt(staging, name)
        except BaseException:
            self.versions.abort(staging)
            raise
        return name

    def close(self) -> None:
        """Close the connection."""
        self.db.close()


def _target(folder: Path, rel: str, name: str) -> Path:
    parts = PurePosixPath(rel).parts
    if not parts or rel.startswith("/") or any(p in ("..", ".", "") for p in parts):
        raise IndexCorrupt(f"the shared index version {name} holds a file outside its folder: {rel[:80]!r}",
                           hint=_HINT)
    return folder.joinpath(*parts)
