"""The reading model: pairs encoded with the base tokenizer, adapters folded into the layers, ONNX export, training."""
import json
import random
from pathlib import Path

import numpy as np
import pytest

from bot.read.encode import PairEncoder, best_span, token_targets

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def base(base_config):
    """The reader's base model folder, built at set-up."""
    from bot.read.build import base_folder

    return base_folder(base_config)


def test_pairs_map_tokens_back_to_the_window_characters(base):
    enc = PairEncoder(base, max_tokens=160)
    window = "普通护照的有效期为：护照持有人未满十六周岁的五年，十六周岁以上的十年。"
    b = enc.encode([("护照有效期几年", "中华人民共和国护照法 第七条", window), ("短问题", "", "短。")])
    assert b.ids.shape[0] == 2 and b.mask[1].sum() < b.mask[0].sum()  # padded to the longer pair
    start = window.index("十年")
    first, last = token_targets(b.text_spans[0], start, start + 2)
    assert window[b.text_spans[0][first][0]:b.text_spans[0][last][1]].startswith("十年")
    # a span is found only among the window's own tokens, never the question's or the heading's
    logits = np.full(b.ids.shape[1], -5.0)
    logits[1] = 50.0  # a question token
    s, e = logits.copy(), logits.copy()
    s[first], e[last] = 10.0, 10.0
    got = best_span(s, e, b.text_spans[0])
    assert window[got[0]:got[1]].startswith("十年")


def test_a_long_window_gives_way_at_its_heading_first(base):
    enc = PairEncoder(base, max_tokens=40)
    b = enc.encode([("问题", "很长的标题" * 20, "正文第一句。" * 3)])
    assert b.ids.shape[1] <= 40
    assert sum(s >= 0 for s, _ in b.text_spans[0]) >= 8  # the window's tokens stayed


@pytest.mark.slow
def test_adapters_fold_into_the_layers_and_export_gives_the_same_scores(base, tmp_path):
    import torch

    from bot.read import net as netmod
    from bot.read.build import build
    from bot.read.reader import Reader
    from index.passages.windows import windows_of
    from index.types import Passage

    torch.manual_seed(0)
    trained = netmod.build(base, 2, rank=4, alpha=8)
    with torch.no_grad():
        for name, param in trained.named_parameters():
            if "lora_B" in name or name.startswith(("pool", "answer", "span")):
                param.normal_(0, 0.05)  # as if trained: B starts at zero, which would fold to nothing
    trained.eval()
    enc = PairEncoder(base)
    b = enc.encode([("护照有效期几年", "护照法 第七条", "普通护照的有效期为十年。"), ("谁签发", "护照法", "由公安部签发。")])
    ids, mask = torch.from_numpy(b.ids), torch.from_numpy(b.mask)
    with torch.inference_mode():
        want = [t.numpy() for t in trained(ids, mask)]
    plain = netmod.build(base, 2)
    netmod.merge(plain, netmod.adapter_state(trained), netmod.head_state(trained), 8 / 4)
    plain.eval()
    with torch.inference_mode():
        got = [t.numpy() for t in plain(ids, mask)]
    for w, g in zip(want, got):
        assert np.allclose(w, g, atol=1e-4)
    weights = tmp_path / "weights"
    weights.mkdir()
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in netmod.adapter_state(trained).items()}, str(weights / "adapters.safetensors"))
    save_file({k: v.contiguous() for k, v in netmod.head_state(trained).items()}, str(weights / "heads.safetensors"))
    (weights / "card.json").write_text(json.dumps({"settings": {"layers": 2, "max_tokens": 160}, "scale": 2.0}))
    built = build(base, weights, tmp_path / "built", quantize=False)
    p = Passage(passage_id="d#0", doc_id="d", doc_title="护照法", text="普通护照的有效期为十年。",
                sentences=("普通护照的有效期为十年。",), label="第七条")
    reading = Reader(built, base).read("护照有效期几年", windows_of(p))[0]
    assert reading.logit == pytest.approx(float(want[0][0]), abs=1e-3)


@pytest.mark.slow
def test_a_short_training_run_writes_adapters_heads_and_a_card(base, tmp_path):
    from bot.read.train import Settings, build_examples, train

    data = tmp_path / "data"
    ctx = "护照法规定，普通护照的有效期为十年。未满十六周岁的为五年。护照由公安机关出入境管理机构签发。"
    squad = {"data": [{"title": "护照", "paragraphs": [{"id": "p1", "context": ctx, "qas": [
        {"id": "q1", "question": "普通护照有效期多少年？", "answers": [{"text": "十年", "answer_start": ctx.index("十年")}]},
        {"id": "q2", "question": "谁签发护照？", "answers": [{"text": "公安机关出入境管理机构",
                                                          "answer_start": ctx.index("公安机关")}]}]}]}]}
    for rel in ("cmrc2018/cmrc2018_trial.json", "drcd/DRCD_test.json"):
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        (data / rel).write_text(json.dumps(squad, ensure_ascii=False), encoding="utf-8")
    law = "# 样例证件法\n\n第一条 为了规范证件，制定本法。\n\n第二条 证件的有效期为十年。\n\n第三条 证件由公安机关签发。\n"
    (data / "laws").mkdir()
    (data / "laws" / "样例证件法.md").write_text(law, encoding="utf-8")
    rows = [{"id": "x01", "kind": "fact", "question": "证件能用几年？", "answerable": True, "expect": ["十年"],
             "expect_any": False, "where": "第二条", "doc": "样例证件法", "note": ""},
            {"id": "x02", "kind": "unanswerable", "question": "证件工本费多少钱？", "answerable": False, "expect": [],
             "expect_any": False, "where": "", "doc": "样例证件法", "note": ""}]
    sets = tmp_path / "sets" / "written"
    sets.mkdir(parents=True)
    (sets / "x.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    (sets / "sets.toml").write_text('[[set]]\nname = "x"\nfile = "written/x.jsonl"\ndocuments = ["laws/样例证件法.md"]\n',
                                    encoding="utf-8")
    defaults = Settings.read()
    s = Settings.read(layers=1, steps=2, batch=4, threads=1, validation=0.3,
                      data={**defaults.data, "train_sets": str(sets / "sets.toml")})
    pairs = build_examples(s, data, limit=6)
    assert {p.source for p in pairs} == {"cmrc", "drcd", "docs", "seed"}
    assert any(p.source == "docs" and p.label and p.text[p.start:p.end] == "十年" for p in pairs)
    assert all(not p.label for p in pairs if p.group == "docs:x:x02")  # nothing answers the fee: negatives only
    assert any(p.label and p.text[p.start:p.end] == "十年" for p in pairs)
    random.Random(0).shuffle(pairs)
    card = train(s, pairs, base, tmp_path / "out")
    assert {f.name for f in (tmp_path / "out").iterdir()} == {"adapters.safetensors", "heads.safetensors", "card.json"}
    assert card["settings"]["steps"] == 2 and card["data"]["cmrc"]["answering"] >= 1
