"""An index built and searched on pgvector ([index] vector_store = "pgvector"): the seed answered through the
database's vectors, and searches that survive a database restart."""
from __future__ import annotations

import dataclasses

import pytest

from bot.service import QAService
from index.config import load_config
from index.errors import ConfigError, DatabaseError
from index.versioning.versions import VersionStore
from tests.conftest import ROOT
from tests.staff_helpers import private_copy, write_config_file

QUESTION = "李沧区民营社区卫生服务机构占比多少"


def test_pgvector_without_a_database_is_refused_at_start(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text((ROOT / "config.toml").read_text(encoding="utf-8").replace(
        'vector_store = "faiss"', 'vector_store = "pgvector"'), encoding="utf-8")
    with pytest.raises(ConfigError, match="vector_store") as info:
        load_config(path, env={})
    assert "QABOT_DATABASE_URL" in info.value.hint
    with pytest.raises(ConfigError, match="must be one of faiss, numpy, pgvector"):
        load_config(path, env={"QABOT_INDEX_VECTOR_STORE": "annoy"})


@pytest.mark.slow
def test_an_index_built_on_pgvector_answers_and_its_searches_survive_a_database_restart(
        built_config, encoder, pg_own, tmp_path, monkeypatch, capsys):
    from index.__main__ import main

    staff = private_copy(built_config, tmp_path / "staff")
    path = write_config_file(staff, tmp_path / "config.toml")
    path.write_text(path.read_text(encoding="utf-8").replace('vector_store = "faiss"', 'vector_store = "pgvector"'),
                    encoding="utf-8")
    monkeypatch.setenv("QABOT_CONFIG", str(path))
    monkeypatch.setenv("QABOT_DATABASE_URL", pg_own.url)
    assert main(["--quiet", "rebuild"]) == 0  # the staff command: vectors of the unchanged passages are reused
    assert "shared with every replica" in capsys.readouterr().out
    config = load_config(path, env={"QABOT_DATABASE_URL": pg_own.url})
    version = VersionStore(config.index_dir).current_path()
    assert (version / "dense_pg.json").is_file() and not list(version.glob("*.faiss"))
    service = QAService(config, encoder=encoder)
    service.load()
    store = service._current().searcher.store
    assert type(store).__name__ == "PgVectorStore" and len(store) == len(service._current().passages)
    first = service.ask(QUESTION)
    assert first.answered and "92%" in first.answer
    pg_own.stop()
    try:
        with pytest.raises(DatabaseError, match="vector search"):  # the web API answers it 503 index_unavailable
            service.ask(QUESTION)
    finally:
        pg_own.start()
    again = service.ask(QUESTION)  # the store's connection broke with the restart: the search opens another
    assert again.answered and again.answer == first.answer
    store.close()
