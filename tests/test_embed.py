"""The encoder on the real default model: the same vectors as sentence-transformers, shapes, prompts, ranking, cache."""
from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import numpy as np
import pytest

from index.embedding.embed import Encoder, SentenceTransformerEncoder, encoder_fingerprint
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


@pytest.fixture(scope="module")
def reference(encoder):
    """sentence-transformers itself on the same folder: what the fast backend must reproduce."""
    import sentence_transformers

    model = sentence_transformers.SentenceTransformer(encoder.path, device="cpu")
    model.max_seq_length = encoder.model.max_seq_length
    return model


@pytest.mark.slow
def test_the_default_model_runs_on_the_fast_backend_with_the_same_vectors(encoder, reference):
    assert encoder.backend == "BertMeanEncoder"
    texts = PASSAGES + ["  两端有空格  ", "hello, world", "a", "😀", "市北区" * 300, "李沧区\n社区\t卫生"]
    for prompt in ("query: ", "passage: ", ""):
        ours = encoder.model.encode(texts, prompt=prompt, batch_size=3)  # batches of mixed lengths: padding
        theirs = reference.encode(texts, prompt=prompt, normalize_embeddings=True)
        np.testing.assert_allclose(ours, theirs, atol=1e-5)
        assert min(cos(a, b) for a, b in zip(ours, theirs)) > 0.99999


@pytest.mark.slow
def test_the_sentence_transformers_backend_can_be_forced(encoder, base_config):
    forced = dataclasses.replace(base_config, model=dataclasses.replace(base_config.model,
                                                                          backend="sentence-transformers"))
    other = SentenceTransformerEncoder(forced, model_path=encoder.path)
    assert other.backend == "SentenceTransformer" and other.fingerprint == encoder.fingerprint
    np.testing.assert_allclose(other.encode_documents(PASSAGES), encoder.encode_documents(PASSAGES), atol=1e-5)


def test_an_unknown_backend_is_named(base_config):
    bad = dataclasses.replace(base_config, model=dataclasses.replace(base_config.model, backend="onnx"))
    with pytest.raises(ConfigError, match="backend 'onnx'"):
        SentenceTransformerEncoder(bad, model_path="unused")


@pytest.mark.slow
def test_only_a_plain_bert_mean_pooling_folder_takes_the_fast_path(encoder, tmp_path):
    import json
    import shutil

    from index.embedding.bert_torch import supports

    assert not supports(tmp_path / "missing") and not supports("intfloat/multilingual-e5-small")
    src = Path(encoder.path)
    for change in ("cls", "xlm", "dense"):
        copy = tmp_path / change
        shutil.copytree(src, copy, ignore=shutil.ignore_patterns("model.safetensors"))
        (copy / "model.safetensors").touch()
        assert supports(copy)
        if change == "cls":
            pool = json.loads((copy / "1_Pooling/config.json").read_text())
            pool.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
            (copy / "1_Pooling/config.json").write_text(json.dumps(pool))
        elif change == "xlm":
            cfg = json.loads((copy / "config.json").read_text())
            (copy / "config.json").write_text(json.dumps({**cfg, "model_type": "xlm-roberta"}))
        else:
            mods = json.loads((copy / "modules.json").read_text())
            mods.insert(2, {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"})
            (copy / "modules.json").write_text(json.dumps(mods))
        assert not supports(copy), change


@pytest.mark.slow
def test_prompts_are_applied_exactly_once(encoder, reference):
    model = reference
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
def test_long_texts_are_cut_to_the_window(encoder, reference):
    long = "".join(PASSAGES) * 20  # far beyond 256 tokens
    assert len(reference.tokenizer(long)["input_ids"]) > 2 * reference.max_seq_length
    head = reference.tokenizer.decode(reference.tokenizer("passage: " + long)["input_ids"][1:reference.max_seq_length - 1])
    np.testing.assert_allclose(encoder.encode_documents([long])[0],
                               reference.encode([head], prompt="", normalize_embeddings=True)[0], atol=1e-3)


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
