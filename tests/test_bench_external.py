"""The external evaluation end to end on a tiny SQuAD file, through the real model, index and ask() path."""
from __future__ import annotations

import json

import numpy as np
import pytest

from bench.external import in_traditional, norm, run_file
from bench.memo import MemoEncoder
from bench.workspace import build_key, workspace_config

CONTEXTS = [
    ("深圳地铁", "深圳地铁是深圳市的城市轨道交通系统，首条线路于2004年12月28日开通。截至2020年，深圳地铁共有11条线路。"
                "深圳地铁由深圳市地铁集团有限公司负责运营。", "深圳地铁首条线路于哪一年开通？", "2004年"),
    ("大熊貓", "大熊貓是中國特有的物種，主要棲息在四川、陝西和甘肅的山區。大熊貓的食物有百分之九十九是竹子。",
     "大熊貓的食物主要是什麼？", "竹子"),
    ("锣鼓经", "锣鼓经是大陆传统器乐及戏曲里面常用的打击乐记谱方法，以中文字的声音模拟敲击乐的声音。",
     "锣鼓经是什么？", "打击乐记谱方法"),
]


def _write(tmp_path):
    data = [{"title": t, "paragraphs": [{"id": f"P{i}", "context": c, "qas": [
        {"id": f"Q{i}", "question": q, "answers": [{"text": a, "answer_start": c.index(a)}]}]}]}
        for i, (t, c, q, a) in enumerate(CONTEXTS)]
    path = tmp_path / "mini.json"
    path.write_text(json.dumps({"data": data}, ensure_ascii=False), encoding="utf-8")
    return path


def test_norm_and_script_checks():
    assert norm("１９９８ 年") == norm("1998年")
    assert in_traditional("大熊貓的食物") and in_traditional("1998") and not in_traditional("大熊猫的食物")


@pytest.mark.slow
def test_open_retrieval_figures_and_index_reuse(tmp_path, base_config, encoder, capsys):
    path = _write(tmp_path)
    work = tmp_path / "work"
    first = run_file(path, "mini", work, base_config, encoder, None, ["hybrid", "lexical"])
    assert first["contexts"] == 3 and not first["index"]["reused_index"]
    hybrid = first["modes"]["hybrid"]
    assert hybrid["questions"] == 3 and hybrid["top1"] == 1.0 and hybrid["refusal"] == 0.0
    assert hybrid["hit"] == 1.0 and 0 < hybrid["median_chars"] <= 150
    rows = [json.loads(x) for x in (work / "answers_hybrid.jsonl").read_text(encoding="utf-8").splitlines()]
    panda = next(r for r in rows if r["id"] == "Q1")
    # asked in Traditional: answered in Traditional, the gold span found as written
    assert panda["script"] == "hant" and "竹子" in panda["quote"] and "貓" in panda["quote"]
    assert set(first["modes"]) == {"hybrid", "lexical"}
    again = run_file(path, "mini", work, base_config, encoder, 2, ["hybrid"])
    assert again["index"]["reused_index"] and again["modes"]["hybrid"]["questions"] == 2
    assert "reusing" in capsys.readouterr().err


@pytest.mark.slow
def test_asked_only_indexes_the_contexts_of_the_asked_questions_alone(tmp_path, base_config, encoder):
    got = run_file(_write(tmp_path), "mini", tmp_path / "work", base_config, encoder, 2, ["hybrid"], asked_only=True)
    assert got["contexts"] == 2 and got["modes"]["hybrid"]["questions"] == 2
    assert sorted(p.name for p in (tmp_path / "work" / "corpus").glob("*.txt")) == ["0000_P0.txt", "0001_P1.txt"]


@pytest.mark.slow
def test_build_key_follows_the_corpus_and_the_segment_settings(tmp_path, base_config, encoder):
    import dataclasses

    cfg = workspace_config(base_config, tmp_path)
    cfg.corpus_dir.mkdir(parents=True)
    (cfg.corpus_dir / "a.txt").write_text("第一段文字。", encoding="utf-8")
    key = build_key(cfg, encoder)
    assert build_key(cfg, encoder) == key
    (cfg.corpus_dir / "a.meta.json").write_text('{"title": "标题"}', encoding="utf-8")
    assert build_key(cfg, encoder) != key
    key = build_key(cfg, encoder)
    wider = dataclasses.replace(cfg, segment=dataclasses.replace(cfg.segment, max_chars=cfg.segment.max_chars + 1))
    assert build_key(wider, encoder) != key


@pytest.mark.slow
def test_memo_encoder_gives_the_same_vectors_and_keeps_them(tmp_path, encoder):
    memo = MemoEncoder(encoder, tmp_path)
    q = memo.encode_queries(["深圳地铁哪年开通？", "深圳地铁哪年开通？"])
    d = memo.encode_documents(["深圳地铁于2004年开通。"])
    assert np.allclose(q[0], encoder.encode_queries(["深圳地铁哪年开通？"])[0], atol=1e-5)
    assert np.array_equal(q[0], q[1])
    memo.save()
    again = MemoEncoder(encoder, tmp_path)
    assert np.array_equal(again.encode_documents(["深圳地铁于2004年开通。"]), d)
