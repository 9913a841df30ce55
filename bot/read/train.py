"""`make train`: train the reading model's adapters and heads from bot/read/train.toml; write them to bot/read/weights/."""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
import sys
import time
import tomllib
from pathlib import Path

import numpy as np

from bot.read import examples as ex
from bot.read.encode import PairEncoder, best_span, token_targets

ROOT = Path(__file__).resolve().parent.parent.parent
SETTINGS = Path(__file__).with_name("train.toml")
WEIGHTS = Path(__file__).with_name("weights")
DEFAULT_DATA = ROOT.parent / "shared" / "data"


@dataclasses.dataclass(frozen=True)
class Settings:
    """What a training run is made of (train.toml)."""

    seed: int
    layers: int
    rank: int
    alpha: int
    dropout: float
    max_tokens: int
    batch: int
    lr: float
    steps: int
    warmup: float
    span_weight: float
    validation: float
    threads: int
    data: dict
    listwise: float = 0.0  # weight of the loss over each question's excerpts together (0: pairs one by one)

    @classmethod
    def read(cls, path: Path = SETTINGS, **override) -> "Settings":
        """Args: path: the TOML file; override: values that win (tests). Returns: the Settings."""
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        raw.update(override)
        return cls(**raw)


def build_examples(s: Settings, data: Path, limit: int | None = None, log=sys.stderr) -> list[ex.Example]:
    """All training pairs the settings name: CMRC 2018 trial, DRCD test, the question sets written about other laws
    and reports (tests/eval/train/), and some of the seed's own sets.

    Args:
        s: the settings.
        data: the shared data folder.
        limit: at most this many questions of each source (smoke runs).
        log: where progress goes.

    Returns:
        The pairs.
    """
    from bot.evaluate import load_questions
    from index.config import load_config

    rng = random.Random(s.seed)
    d = s.data
    out: list[ex.Example] = []
    for name in ("cmrc", "drcd"):
        cap = min(x for x in (limit, d.get(f"{name}_limit")) if x) if (limit or d.get(f"{name}_limit")) else None
        got = ex.squad_examples(data / d[name], name, rng, d["hard"], d["easy"], d["other"], cap)
        print(f"  {name}: {len(got)} pairs", file=log)
        out += got
    config = load_config(ROOT / "config.toml", env={})
    evals = ROOT / "tests" / "eval"
    rows, passages = _written_sets(evals / d["train_sets"], data, config, limit)
    got = ex.set_examples(rows, passages, "docs", rng, d["hard"], d["easy"], d["other"])
    print(f"  docs: {len(got)} pairs from {len(rows)} questions (taken {d.get('docs_repeat', 1)} times)", file=log)
    out += got * d.get("docs_repeat", 1)
    files = [evals / f for f in d["seed_sets"]]
    files += [evals / f"blind{n}.jsonl" for n in range(d["seed_blind_first"], d["seed_blind_last"] + 1)]
    seed_rows = [r for f in files if f.is_file() for r in load_questions(f)]
    seed_rows = random.Random(s.seed).sample(seed_rows, min(len(seed_rows), d.get("seed_limit", len(seed_rows))))
    seed_rows = seed_rows[:limit] if limit else seed_rows
    seed = [p for f in sorted((ROOT / "corpus").glob("*.txt")) for p in _ingest(f, config, None, {}).passages]
    seed_rows = [{**r, "doc": seed[0].doc_id} for r in seed_rows]
    got = ex.set_examples(seed_rows, seed, "seed", rng, d["hard"] - 1, d["easy"], 0)
    print(f"  seed: {len(got)} pairs from {len(seed_rows)} questions", file=log)
    return out + got


def _ingest(path: Path, config, doc_id: str | None, meta: dict):
    from index.versioning.build import ingest_file

    return ingest_file(path, config, doc_id=doc_id, meta=meta)


def _written_sets(manifest: Path, data: Path, config, limit: int | None) -> tuple[list[dict], list]:
    """The rows of the training question sets, each with the id of the document it is about, and the passages of
    every document they name (ingested as staff would add them)."""
    import tempfile

    from bot.evaluate import load_questions
    from bot.read.sources import staged_file
    from index.ingest.clean import to_simplified

    spec = tomllib.loads(manifest.read_text(encoding="utf-8"))
    rows, passages = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for entry in spec.get("set", []):
            docs = []
            for k, rel in enumerate(entry["documents"]):
                path, meta = staged_file(data, rel, Path(tmp))
                docs.append(_ingest(path, config, f"{entry['name']}-{k}", meta))
            passages += [p for ing in docs for p in ing.passages]
            text = {ing.document.doc_id: "\n".join(p.text for p in ing.passages) for ing in docs}
            got = load_questions(manifest.parent.parent / entry["file"])
            for row in got[:limit] if limit else got:
                facts = [to_simplified(f) for f in row.get("expect", [])]
                # The document that holds the facts; for a question without facts, the one its writer named.
                named = [i for i, ing in enumerate(docs) if row.get("doc") and row["doc"] in ing.document.title]
                holding = [i for i in range(len(docs)) if facts and all(f in text[docs[i].document.doc_id]
                                                                         for f in facts)]
                pick = (holding or named or [0])[0]
                rows.append({**row, "id": f"{entry['name']}:{row['id']}", "doc": docs[pick].document.doc_id})
    return rows, passages


def split(pairs: list[ex.Example], share: float, seed: int) -> tuple[list[ex.Example], list[ex.Example]]:
    """Args: pairs; share: of questions held out; seed. Returns: (train, validation), a question's pairs together."""
    groups = sorted({p.group for p in pairs})
    held = set(random.Random(seed).sample(groups, int(len(groups) * share)))
    return [p for p in pairs if p.group not in held], [p for p in pairs if p.group in held]


def batches(pairs: list[ex.Example], size: int, rng: random.Random,
            whole: bool = False) -> list[list[ex.Example]]:
    """Shuffled batches of pairs of similar length (less padding), in a shuffled order.

    Args:
        pairs: the training pairs; a question's pairs are next to each other (build_examples).
        size: pairs a batch (whole questions: at least this many).
        rng: the random generator.
        whole: keep each question's pairs in one batch (for the listwise loss).

    Returns:
        The batches.
    """
    if whole:  # a unit is a question's run of about six pairs, so a bucket holds fewer units
        units, bucket = runs_of(pairs), size * 10
        length = lambda r: sum(len(p.question) + len(p.text) for p in r) / len(r)  # noqa: E731
    else:
        units, bucket = [[p] for p in pairs], size * 50
        length = lambda r: len(r[0].question) + len(r[0].head) + len(r[0].text)  # noqa: E731
    rng.shuffle(units)
    out = []
    for i in range(0, len(units), bucket):
        batch: list[ex.Example] = []
        for unit in sorted(units[i:i + bucket], key=length):
            batch += unit
            if len(batch) >= size:
                out.append(batch)
                batch = []
        if batch:
            out.append(batch)
    rng.shuffle(out)
    return out


def runs_of(pairs: list[ex.Example]) -> list[list[ex.Example]]:
    """Args: pairs. Returns: the runs of consecutive pairs of one question (a repeated set is a run of its own)."""
    out: list[list[ex.Example]] = []
    for p in pairs:
        # An excerpt met again in the current run starts the question's repeat.
        if out and out[-1][0].group == p.group and all(x.text != p.text for x in out[-1]):
            out[-1].append(p)
        else:
            out.append([p])
    return out


def listwise_loss(logit, pairs: list[ex.Example]):
    """The softmax loss over each question's excerpts beside a "none of these" option scored 0: the answering
    excerpt must win over its near misses, and for a question nothing answers, "none" must win.

    Args:
        logit: the answer logits of the batch's pairs (a torch tensor).
        pairs: the batch's pairs, in that order.

    Returns:
        The mean loss over the batch's questions.
    """
    import torch
    import torch.nn.functional as F

    losses, start = [], 0
    for run in runs_of(pairs):
        scores = torch.cat([logit.new_zeros(1), logit[start:start + len(run)]])
        target = next((k + 1 for k, p in enumerate(run) if p.label), 0)
        losses.append(F.cross_entropy(scores[None], torch.tensor([target])))
        start += len(run)
    return torch.stack(losses).mean()


def tensors(encoder: PairEncoder, pairs: list[ex.Example]):
    """Args: encoder; pairs. Returns: (ids, mask, labels, starts, ends, window-token mask) as torch tensors."""
    import torch

    b = encoder.encode([(p.question, p.head, p.text) for p in pairs])
    starts, ends = [], []
    for p, span in zip(pairs, b.text_spans):
        first, last = token_targets(span, p.start, p.end) if p.label else (0, 0)
        starts.append(first)
        ends.append(last)
    window = torch.tensor([[s >= 0 for s, _ in span] for span in b.text_spans])
    return (torch.from_numpy(b.ids), torch.from_numpy(b.mask), torch.tensor([float(p.label) for p in pairs]),
            torch.tensor(starts), torch.tensor(ends), window)


def loss_of(net, batch, span_weight: float):
    """Args: net; batch: tensors(); span_weight. Returns: (loss, answer logits)."""
    import torch
    import torch.nn.functional as F

    ids, mask, labels, starts, ends, window = batch
    logit, start, end = net(ids, mask)
    loss = F.binary_cross_entropy_with_logits(logit, labels)
    has_span = (labels > 0) & (starts > 0)
    if has_span.any():
        neg = torch.finfo(start.dtype).min
        s = start[has_span].masked_fill(~window[has_span], neg)
        e = end[has_span].masked_fill(~window[has_span], neg)
        loss = loss + span_weight * 0.5 * (F.cross_entropy(s, starts[has_span]) + F.cross_entropy(e, ends[has_span]))
    return loss, logit


def auc(scores: list[float], labels: list[int]) -> float:
    """Args: scores; labels (0/1). Returns: the area under the ROC curve (rank statistic)."""
    order = np.argsort(scores)
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    pos = np.array(labels) == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / max(1, n_pos * n_neg))


def evaluate(net, encoder: PairEncoder, pairs: list[ex.Example], size: int = 64) -> dict:
    """Args: net; encoder; pairs (validation). Returns: AUC, accuracy at 0, how often the answering excerpt scores
    best among its question's, and the span's exact matches."""
    import torch

    net.eval()
    scores, exact = [], []
    with torch.inference_mode():
        for i in range(0, len(pairs), size):
            part = pairs[i:i + size]
            b = encoder.encode([(p.question, p.head, p.text) for p in part])
            logit, start, end = net(torch.from_numpy(b.ids), torch.from_numpy(b.mask))
            scores += logit.tolist()
            for j, p in enumerate(part):
                if p.label:
                    got = best_span(start[j].numpy(), end[j].numpy(), b.text_spans[j])
                    exact.append(got is not None and p.text[got[0]:got[1]] == p.text[p.start:p.end])
    labels = [p.label for p in pairs]
    net.train()
    # Of the questions some excerpt answers, how often that excerpt scores best among the question's excerpts.
    firsts, at = [], 0
    for run in runs_of(pairs):
        got = scores[at:at + len(run)]
        if any(p.label for p in run):
            firsts.append(bool(run[int(np.argmax(got))].label))
        at += len(run)
    return {"pairs": len(pairs), "auc": round(auc(scores, labels), 4),
            "chosen": round(float(np.mean(firsts)), 4) if firsts else None,
            "accuracy": round(float(np.mean([(s > 0) == bool(y) for s, y in zip(scores, labels)])), 4),
            "span_exact": round(float(np.mean(exact)), 4) if exact else None}


def train(s: Settings, pairs: list[ex.Example], base_dir: Path, out: Path, log=sys.stderr) -> dict:
    """Train adapters and heads and write them, with a card of what was done.

    Args:
        s: settings.
        pairs: the training pairs (build_examples).
        base_dir: the base model folder.
        out: the weights folder to write (adapters.safetensors, heads.safetensors, card.json).
        log: where progress goes.

    Returns:
        The card (settings, data counts, validation figures, minutes).
    """
    import torch
    from safetensors.torch import save_file

    from bot.read import net as netmod

    torch.manual_seed(s.seed)
    torch.set_num_threads(s.threads)
    rng = random.Random(s.seed)
    train_pairs, val_pairs = split(pairs, s.validation, s.seed)
    encoder = PairEncoder(base_dir, s.max_tokens)
    model = netmod.build(base_dir, s.layers, s.rank, s.alpha, s.dropout)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=s.lr, weight_decay=0.01)
    warm = max(1, int(s.steps * s.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda i: min(1.0, (i + 1) / warm) * max(0.0, (s.steps - i) / max(1, s.steps - warm)) if i >= warm
        else (i + 1) / warm)
    t0, step, running = time.perf_counter(), 0, []
    print(f"training on {len(train_pairs)} pairs ({sum(p.label for p in train_pairs)} answering), "
          f"{sum(p.numel() for p in params):,} trainable parameters, {s.steps} steps", file=log)
    while step < s.steps:
        for chunk in batches(train_pairs, s.batch, rng, whole=bool(s.listwise)):
            loss, logit = loss_of(model, tensors(encoder, chunk), s.span_weight)
            if s.listwise:
                loss = loss + s.listwise * listwise_loss(logit, chunk)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            step += 1
            running.append(loss.item())
            if step % 50 == 0 or step == s.steps:
                rate = (time.perf_counter() - t0) / step
                print(f"  step {step}/{s.steps}  loss {np.mean(running[-50:]):.4f}  "
                      f"{rate:.2f} s/step, {rate * (s.steps - step) / 60:.0f} min left", file=log, flush=True)
            if step >= s.steps:
                break
    figures = evaluate(model, encoder, val_pairs) if val_pairs else {}
    out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.half().contiguous() for k, v in netmod.adapter_state(model).items()},
              str(out / "adapters.safetensors"))
    save_file({k: v.contiguous() for k, v in netmod.head_state(model).items()}, str(out / "heads.safetensors"))
    counts: dict[str, dict] = {}
    for p in pairs:
        c = counts.setdefault(p.source, {"pairs": 0, "answering": 0})
        c["pairs"] += 1
        c["answering"] += p.label
    card = {"settings": dataclasses.asdict(s), "scale": s.alpha / s.rank, "data": counts,
            "validation": figures, "minutes": round((time.perf_counter() - t0) / 60, 1),
            "final_loss": round(float(np.mean(running[-100:])), 4)}
    (out / "card.json").write_text(json.dumps(card, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"validation: {figures}", file=log)
    return card


def main(argv: list[str] | None = None) -> int:
    """Train from train.toml. Args: argv: command-line arguments. Returns: 0, or 2 when the data is absent."""
    parser = argparse.ArgumentParser(prog="python -m bot.read.train", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding cmrc2018/ and drcd/")
    parser.add_argument("--out", type=Path, default=WEIGHTS, help="where the adapters and heads go")
    parser.add_argument("--settings", type=Path, default=SETTINGS)
    parser.add_argument("--steps", type=int, help="override the step count (quick trials)")
    parser.add_argument("--limit", type=int, help="at most this many questions per source (quick trials)")
    args = parser.parse_args(argv)
    if not (args.data / "cmrc2018").is_dir():
        print(f"cannot train: {args.data} holds no cmrc2018/ (pass --data DIR)", file=sys.stderr)
        return 2
    s = Settings.read(args.settings, **({"steps": args.steps} if args.steps else {}))
    from index.config import load_config
    from index.embedding.model import resolve_model

    base = Path(resolve_model(load_config(ROOT / "config.toml", env={})))
    cache = ROOT / ".cache" / "train" / f"pairs-{_data_key(s, args.data, args.limit)}.jsonl"
    if cache.is_file():
        pairs = ex.load(cache)
        print(f"training pairs: {len(pairs)} (cached {cache.name})", file=sys.stderr)
    else:
        print("building training pairs ...", file=sys.stderr)
        pairs = build_examples(s, args.data, args.limit)
        ex.save(pairs, cache)
    train(s, pairs, base, args.out)
    return 0


def _data_key(s: Settings, data: Path, limit: int | None) -> str:
    h = hashlib.sha256(json.dumps([s.seed, s.data, limit]).encode())
    for f in sorted((ROOT / "tests" / "eval" / "train").glob("*")):
        h.update(f.read_bytes())
    for rel in (s.data["cmrc"], s.data["drcd"]):
        h.update((data / rel).read_bytes()[:1 << 20])
    h.update(Path(__file__).with_name("examples.py").read_bytes())
    for f in ("index/passages/segment.py", "index/passages/structure.py", "index/ingest/clean.py",
              "index/passages/windows.py", "bot/read/excerpt.py"):
        h.update((ROOT / f).read_bytes())
    return h.hexdigest()[:12]


if __name__ == "__main__":
    sys.exit(main())
