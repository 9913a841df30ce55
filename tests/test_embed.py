"""The sentence-transformers encoder on the real default model: shapes, norms, prompts, ranking, cache, threads."""
from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pytest

from index.embed import Encoder, SentenceTransformerEncoder, encoder_fingerprint
from index.errors import ConfigError

PASSAGES = [
    "李沧区政府推行社区卫生服务机构一体化管理,居民在家门口就能享受基本医疗和公共卫生服务。",
    "市地铁工程建设指挥部创新地铁建设融资模式,引入社会资本参与轨道交通项目投资。",
    "市人社局实施人才引进计划,为高层次人才提供住房补贴和子女入学等服务保障。",
]


def cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_fingerprint_changes_with_prompts_and_window(base_config, tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text("{}", encoding="utf-8")
    base = encoder_fingerprint(tmp_path / "m", base_config)
    assert base == encoder_fingerprint(str(tmp_path / "m"), base_config)
    for change in ({"query_prompt": ""}, {"document_prompt": "passage:"}, {"max_seq_length": 512}):
        other = dataclasses.replace(base_config, model=dataclasses.replace(base_config.model, **change))
        assert encoder_fingerprint(tmp_path / "m", other) != base, change
    threads = dataclasses.replace(base_config, model=dataclasses.replace(base_config.model, threads=1))
    assert encoder_fingerprint(tmp_path / "m", threads) == base  # threads change speed, not vectors


@pytest.mark.slow
def test_encoder_contract(encoder, base_config):
    assert isinstance(encoder, Encoder)
    assert encoder.dim == 384 and encoder.name == base_config.model.name
    assert encoder.fingerprint.startswith("sha256:")
    assert encoder.model.max_seq_length == base_config.model.max_seq_length
    for vecs, n in ((encoder.encode_queries(["青岛市有哪些政府创新案例?", "hello"]), 2),
                    (encoder.encode_documents(PASSAGES), 3),
                    (encoder.encode_queries([]), 0),
                    (encoder.encode_documents([], progress=True), 0)):
        assert vecs.dtype == np.float32 and vecs.shape == (n, 384)
        np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_a_chinese_question_ranks_the_right_passage_first(encoder):
    docs = encoder.encode_documents(PASSAGES)
    for question, want in (("李沧区的社区卫生服务有什么创新?", 0), ("地铁建设的钱从哪里来?", 1),
                           ("引进人才有什么政策?", 2)):
        scores = docs @ encoder.encode_queries([question])[0]
        assert int(np.argmax(scores)) == want, (question, scores)


@pytest.mark.slow
def test_prompts_are_applied_exactly_once(encoder):
    model = encoder.model
    q, d = "李沧区社区卫生服务", PASSAGES[1]
    manual_q = model.encode(["query: " + q], prompt="", normalize_embeddings=True)[0]
    manual_d = model.encode(["passage: " + d], prompt="", normalize_embeddings=True)[0]
    ours_q, ours_d = encoder.encode_queries([q])[0], encoder.encode_documents([d])[0]
    assert cos(ours_q, manual_q) > 0.99999 and cos(ours_d, manual_d) > 0.99999
    # the comparison can tell: a doubled or a missing prefix gives another vector
    doubled = model.encode(["query: query: " + q], prompt="", normalize_embeddings=True)[0]
    bare = model.encode([q], prompt="", normalize_embeddings=True)[0]
    assert cos(ours_q, doubled) < 0.999 and cos(ours_q, bare) < 0.999


@pytest.mark.slow
def test_documents_keep_their_order_whatever_the_batching(encoder):
    texts = [PASSAGES[i % 3][: 12 + 17 * i] for i in range(6)]  # different lengths, sorted internally
    together = encoder.encode_documents(texts, progress=True)
    one_by_one = np.stack([encoder.encode_documents([t])[0] for t in texts])
    np.testing.assert_allclose(together, one_by_one, atol=2e-5)


@pytest.mark.slow
def test_long_texts_are_cut_to_the_window(encoder):
    long = "".join(PASSAGES) * 20  # far beyond 256 tokens
    assert len(encoder.model.tokenizer(long)["input_ids"]) > 2 * encoder.model.max_seq_length
    head = encoder.model.tokenizer.decode(
        encoder.model.tokenizer("passage: " + long)["input_ids"][1:encoder.model.max_seq_length - 1])
    np.testing.assert_allclose(encoder.encode_documents([long])[0],
                               encoder.model.encode([head], prompt="", normalize_embeddings=True)[0], atol=1e-3)


@pytest.mark.slow
def test_repeated_queries_come_from_the_cache_unaliased(encoder):
    first = encoder.encode_queries(["人才政策", "人才政策"])
    np.testing.assert_array_equal(first[0], first[1])
    first[0][:] = 0.0  # the caller's copy; the cached vector must not change
    again = encoder.encode_queries(["人才政策"])
    np.testing.assert_allclose(np.linalg.norm(again[0]), 1.0, atol=1e-5)
    np.testing.assert_array_equal(again[0], first[1])


@pytest.mark.slow
def test_concurrent_queries_give_the_same_vectors(encoder):
    questions = [f"第{i}个问题:青岛市政府创新工作案例有哪些?" for i in range(24)]
    results, errors = {}, []

    def worker(i: int) -> None:
        try:
            for q in questions[i::4]:
                results[q] = encoder.encode_queries([q + " "])[0]  # distinct from the cache's keys
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == len(questions)
    sequential = encoder.encode_queries([q + " " for q in questions])
    for q, row in zip(questions, sequential):
        np.testing.assert_allclose(results[q], row, atol=1e-5)


@pytest.mark.slow
def test_a_single_string_is_refused(encoder):
    with pytest.raises(TypeError, match="sequence of str"):
        encoder.encode_queries("问题")
    with pytest.raises(TypeError, match="sequence of str"):
        encoder.encode_documents(["ok", 3])


@pytest.mark.slow
def test_a_window_beyond_the_model_limit_is_a_config_error(base_config, encoder):
    too_long = dataclasses.replace(base_config, model=dataclasses.replace(base_config.model, max_seq_length=4096))
    with pytest.raises(ConfigError, match="4096 exceeds the model's limit of 512"):
        SentenceTransformerEncoder(too_long, model_path=encoder.path)
