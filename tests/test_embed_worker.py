"""The embedding model in a child process (staff commands): same vectors, clear errors, no orphan left waiting."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from index.embedding.embed_worker import WorkerEncoder
from index.embedding.lazy_encoder import LazyEncoder
from index.errors import ModelError

TEXTS = ["市北区将全区划分为1188个责任网格。", "李沧区借力民营资本打造社区卫生服务新范本。", "地铁办与19家金融机构签署合作协议。"]


@pytest.mark.slow
def test_the_worker_gives_the_vectors_of_the_model_in_process(encoder, base_config):
    worker = WorkerEncoder(base_config, encoder.path)
    try:
        got = worker.encode_documents(TEXTS * 50)  # 150 texts: several requests of batch_size * 4
        again = worker.encode_documents(TEXTS[:1])
    finally:
        worker.close()
    assert got.shape == (150, encoder.dim) and got.dtype == np.float32
    np.testing.assert_allclose(got[:3], encoder.encode_documents(TEXTS), atol=1e-5)
    np.testing.assert_allclose(again[0], got[0], atol=1e-6)
    assert worker._proc is None  # reaped


def test_a_model_that_cannot_load_is_a_clear_error(base_config, tmp_path):
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")  # a folder that is no model
    worker = WorkerEncoder(base_config, str(tmp_path))
    try:
        with pytest.raises(ModelError, match="cannot load the embedding model"):
            worker.encode_documents(TEXTS)
    finally:
        worker.close()


def test_a_worker_that_died_is_a_clear_error(base_config, tmp_path):
    worker = WorkerEncoder(base_config, str(tmp_path))
    worker._proc.kill()
    worker._proc.wait()
    with pytest.raises(ModelError, match="worker stopped"):
        worker.encode_documents(TEXTS)
    worker.close()


@pytest.mark.slow
def test_a_preloading_lazy_encoder_embeds_documents_in_the_worker_only(built_config, encoder):
    lazy = LazyEncoder(built_config, preload=True)
    try:
        assert lazy.fingerprint == encoder.fingerprint and lazy._worker is not None
        vecs = lazy.encode_documents(TEXTS, progress=True)
        assert not lazy.loaded  # the model was never loaded in this process
        np.testing.assert_allclose(vecs, encoder.encode_documents(TEXTS), atol=1e-5)
        assert lazy.encode_documents([]).shape == (0, encoder.dim)
    finally:
        lazy.close()
    unloaded = LazyEncoder(dataclasses.replace(built_config), preload=False)
    assert unloaded._worker is None and not unloaded.loaded


@pytest.mark.slow
def test_closing_at_the_end_of_a_command_stops_a_worker_still_loading(base_config, encoder):
    worker = WorkerEncoder(base_config, encoder.path)
    proc = worker._proc
    worker.close(0.0)  # as atexit does: the command failed before it needed the model
    assert proc.poll() is not None  # stopped and reaped now, not after loading the model for nothing
