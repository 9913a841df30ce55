"""The one call every channel makes: ask(question) -> Answer; holds the current index version and swaps it live."""
from __future__ import annotations

import dataclasses
import logging
import threading
import uuid

from bot import about
from bot import answer as answering
from bot import decide as deciding
from bot import smalltalk
from bot.counted import counted_things
from bot.normalize import Prepared, in_script, prepare
from bot.schema import KIND_ANSWER, KIND_INVALID, KIND_REFUSAL, KIND_SMALLTALK, Answer, Source
from index.config import Config
from index.errors import IndexMissing
from index.segment import place_of
from index.snapshot import Snapshot, current_version_path, open_snapshot

log = logging.getLogger("bot.service")

_INVALID = {
    "empty": "请输入您想了解的问题。",
    "no_text": "没有看到文字内容，请用文字输入您的问题。",
    "script": "目前只能回答中文（或英文）提问，请换用中文描述您的问题。",
}


class QAService:
    """Answers questions from the current index version; thread-safe; reloads new versions without a restart.

    Args:
        config: settings.
        encoder: an Encoder (default: the configured model, loaded on first use).
    """

    def __init__(self, config: Config, encoder=None) -> None:
        self.config = config
        self._encoder = encoder
        self._snapshot: Snapshot | None = None
        self._load_lock = threading.Lock()
        self._sentence_cache: dict[str, object] = {}

    # --- state ---------------------------------------------------------------------------------------------
    @property
    def encoder(self):
        if self._encoder is None:
            from index.embed import load_encoder
            self._encoder = load_encoder(self.config)
        return self._encoder

    @property
    def ready(self) -> bool:
        return self._snapshot is not None

    def load(self) -> None:
        """Load the current index version and warm the model. Raises IndexMissing, IndexCorrupt, IndexMismatch."""
        with self._load_lock:
            _, path = current_version_path(self.config)  # a missing index fails now, not after loading the model
            snap = open_snapshot(self.config, self.encoder, path)
            snap.searcher.search("青岛市政府创新工作案例")  # warms the model, jieba and FAISS before the first user
            counted_things("评出了多少个案例")  # and jieba's part-of-speech tags
            self._snapshot = snap
        log.info("index loaded", extra={"version": snap.version, "passages": len(snap.passages)})

    def reload_if_changed(self) -> bool:
        """Switch to a newer index version if one was committed; the old one serves until the swap.

        Returns:
            True when a new version was loaded.
        """
        try:
            version, path = current_version_path(self.config)
        except IndexMissing:
            return False
        snap = self._snapshot
        if snap is not None and snap.version == version:
            return False
        with self._load_lock:
            if self._snapshot is not None and self._snapshot.version == version:
                return False
            new = open_snapshot(self.config, self.encoder, path)
            new.searcher.search("青岛市政府创新工作案例")
            self._sentence_cache = {}
            self._snapshot = new  # one reference assignment: a request sees the old or the new version, never a mix
        log.info("index reloaded", extra={"version": version})
        return True

    def _current(self) -> Snapshot:
        snap = self._snapshot
        if snap is None:
            self.load()
            snap = self._snapshot
        return snap

    def status(self) -> dict:
        """Returns: {"ready", "version", "documents", "passages", "model"}."""
        snap = self._snapshot
        if snap is None:
            return {"ready": False, "version": None, "documents": 0, "passages": 0, "model": self.config.model.name}
        return {"ready": True, "version": snap.version, "documents": len(snap.documents),
                "passages": len(snap.passages), "model": snap.manifest.get("model")}

    @property
    def examples(self) -> list[str]:
        """Example questions: from config, else one per case the corpus names."""
        if self.config.answer.examples:
            return list(self.config.answer.examples)
        snap = self._snapshot
        out: list[str] = []
        for p in (snap.passages if snap else []):
            place = place_of(p.unit) if p.unit else None
            q = f"{place}有什么创新做法？" if place else (f"{p.unit}有什么创新做法？" if p.unit else None)
            if q and q not in out:
                out.append(q)
        return out[:5] or ["有哪些政府创新工作案例？"]

    def scope(self) -> str:
        """Returns: one line on what the corpus covers."""
        snap = self._snapshot
        titles = [d.get("title", "") for d in (snap.documents.values() if snap else [])]
        if not titles:
            return "我可以回答资料库中政府创新工作案例的问题。"
        shown = "、".join(f"《{t}》" for t in titles[:3]) + (f"等 {len(titles)} 份资料" if len(titles) > 3 else "")
        return f"我可以回答资料库中政府创新工作案例的问题，资料包括{shown}。"

    # --- the call ------------------------------------------------------------------------------------------
    def ask(self, question: str | bytes | None) -> Answer:
        """Answer one question.

        Args:
            question: what the user sent.

        Returns:
            An Answer: quoted from the corpus, a refusal, small talk, or a note that the input was unusable.
        """
        prepared = prepare(question, self.config.answer.max_question_chars)
        if prepared.problem:
            return self._reply(prepared, KIND_INVALID, _INVALID[prepared.problem], examples=True)
        talk = smalltalk.classify(prepared.text)
        if talk:
            snap = self._current()
            text = smalltalk.reply(talk, self.scope(), self.examples)
            return self._reply(prepared, KIND_SMALLTALK, text, version=snap.version)
        snap = self._current()
        if reason := smalltalk.declined(prepared.text):
            return self._reply(prepared, KIND_REFUSAL, reason + self.scope(), examples=True, version=snap.version)
        result = snap.searcher.search(prepared.text, mode=self.config.search.mode)
        # The top document's window that holds the kind of answer asked for ("哪个网站" -> a named site) goes first.
        hits = deciding.prefer_typed(result.query, result.hits, self.config.answer.type_rerank_ratio)
        result = dataclasses.replace(result, hits=hits)
        if result.hits and (fields := about.asked_fields(prepared.text)):
            return self._about(prepared, snap, result.hits[0], fields)
        document = snap.searcher.document_evidence(result.hits[0].passage.doc_id) if result.hits else ""
        decision = deciding.decide(result.query, result.hits, self.config.answer, document)
        log.info("question", extra={"answered": decision.answered, "reason": decision.reason,
                                    "top": result.hits[0].passage.passage_id if result.hits else None})
        if not decision.answered:
            text = ("抱歉，资料库中没有找到能回答这个问题的内容。" + self.scope())
            return self._reply(prepared, KIND_REFUSAL, text, examples=True, version=snap.version)
        top = result.hits[0]
        # Another window of the same document may hold the answering sentence (overlapping windows split a paragraph).
        quoted_from = answering.best_window(result.query, [h.passage for h in result.hits], prepared.text,
                                            self.config.answer.window_margin)
        sims = self._sentence_sims(prepared.text, quoted_from)
        quoted = answering.quote(result.query, quoted_from, prepared.text, self.config.answer, prepared.script, sims)
        hits = [h for h in result.hits if h is top or h.score >= 0.85 * top.score]
        return self._answered(prepared, snap, quoted, quoted_from, hits)

    def _about(self, prepared: Prepared, snap: Snapshot, top, fields: list[str]) -> Answer:
        # Which paper ran the report, who wrote it: its metadata answers, quoted as recorded, never the text.
        info = {"title": top.passage.doc_title, **snap.documents.get(top.passage.doc_id, {})}
        text, answered = about.reply(info, fields)
        log.info("question", extra={"answered": answered, "reason": "about:" + ",".join(fields),
                                    "top": top.passage.passage_id})
        if not answered:
            return self._reply(prepared, KIND_REFUSAL, text + self.scope(), examples=True, version=snap.version)
        return self._answered(prepared, snap, in_script(text, prepared.script), top.passage, [top])

    def _answered(self, prepared: Prepared, snap: Snapshot, quoted: str, cited, hits: list) -> Answer:
        cite = in_script(answering.citation(cited), prepared.script)
        return Answer(question=prepared.asked, answered=True, answer=f"{quoted}\n{cite}",
                      sources=[self._source(h, prepared.script) for h in hits], kind=KIND_ANSWER,
                      script=prepared.script, notice=prepared.notice, answer_id=uuid.uuid4().hex, citation=cite,
                      index_version=snap.version, quote=quoted)

    def _sentence_sims(self, text: str, passage) -> list[float] | None:
        if self.config.answer.sentence_dense_weight <= 0 or len(passage.sentences) < 2:
            return None
        enc = self.encoder
        q = enc.encode_queries([text])[0]
        vecs = self._sentence_cache.get(passage.passage_id)
        if vecs is None:
            # Sentences of a version never change: embed each passage's once, on first use.
            vecs = enc.encode_documents(list(passage.sentences))
            self._sentence_cache[passage.passage_id] = vecs
        return [float(v @ q) for v in vecs]

    def _source(self, hit, script: str) -> Source:
        p = hit.passage
        text = "".join(p.sentences_orig) if script == "hant" and p.sentences_orig else in_script(p.text, script)
        return Source(doc_id=p.doc_id, title=in_script(p.doc_title, script), case=in_script(p.case, script) or None,
                      text=text, score=hit.score, section=in_script(p.section, script),
                      unit=in_script(p.unit, script) or None, source=in_script(p.source, script), url=p.url,
                      date=p.date)

    def _reply(self, prepared: Prepared, kind: str, text: str, examples: bool = False, version: str = "") -> Answer:
        ex = [in_script(q, prepared.script) for q in self.examples] if examples and self._snapshot else []
        if examples and ex:
            text += "\n您可以试试：" + "；".join(ex[:3])
        notice = in_script(prepared.notice, prepared.script)
        return Answer(question=prepared.asked, answered=False, answer=in_script(text, prepared.script), kind=kind,
                      script=prepared.script, notice=notice, suggestions=ex, answer_id=uuid.uuid4().hex,
                      index_version=version or (self._snapshot.version if self._snapshot else ""))
