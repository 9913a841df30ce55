"""The one call every channel makes: ask(question) -> Answer; holds the current index version and swaps it live."""
from __future__ import annotations

import logging
import threading
import uuid

from bot import about, compose, scope
from bot.read.decide import Decision
from bot.read.serving import ReadingEngine
from bot.rules.serving import RuleEngine
from bot.schema import KIND_ANSWER, KIND_INVALID, KIND_REFUSAL, KIND_SMALLTALK, NOT_FOUND, Answer, Source
from bot.understand import smalltalk
from bot.understand.normalize import Prepared, in_script, prepare
from index.config import Config
from index.errors import IndexMissing
from index.retrieval.snapshot import Snapshot, current_version_path, open_snapshot

log = logging.getLogger("bot.service")

_INVALID = {
    "empty": "请输入您想了解的问题。",
    "no_text": "没有看到文字内容，请用文字输入您的问题。",
    "script": "目前只能回答中文（或英文）提问，请换用中文描述您的问题。",
    "gibberish": "没有看懂这句话，请用中文（或英文）把问题说完整，例如“护照丢了怎么补办？”。",
}
_WARM = "这份资料讲了什么？"  # a question whose search and reading warm the model, jieba and FAISS


class QAService(RuleEngine, ReadingEngine):
    """Answers questions from the current index version; thread-safe; reloads new versions without a restart.

    Args:
        config: settings.
        encoder: an Encoder (default: the configured model, loaded on first use).
    """

    def __init__(self, config: Config, encoder=None, reader=None, decision: Decision | None = None) -> None:
        self.config = config
        self._encoder = encoder
        self._reader = reader
        self._decision = decision
        self._snapshot: Snapshot | None = None
        self._load_lock = threading.Lock()
        self._description: tuple[str, str, list[str]] = ("", "", [])  # version, scope line, example questions
        self._sentence_cache: dict[str, object] = {}
        self._kinds: tuple[str, dict[str, str]] = ("", {})  # version, doc_id -> kind (scope.kind_of)

    # --- state ---------------------------------------------------------------------------------------------
    @property
    def encoder(self):
        if self._encoder is None:
            from index.embedding.embed import load_encoder
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
            if self.config.answer.engine == "rules":
                self._search(snap, _WARM, "rules")  # warms the model, jieba and FAISS before the first user
            else:
                self._read(_WARM, self._search(snap, _WARM, "reader"), snap=snap)  # and the reading model
            self._described(snap)
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
            self._sentence_cache = {}  # keyed by passage id: a new version may hold other text under the same id
            self._described(new)  # its example questions also warm the new version's search before it serves
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
        """Example questions: from config, else questions about each document that this version answers."""
        snap = self._snapshot
        if snap is None:
            return list(self.config.answer.examples)
        return self._described(snap)[1]

    def _described(self, snap: Snapshot) -> tuple[str, list[str]]:
        """What a version holds, in words, and its example questions: made once a version (when it loads)."""
        version, line, examples = self._description
        if version != snap.version:
            line = scope.describe(snap.documents, snap.passages)
            examples = list(self.config.answer.examples) or self._verified_examples(snap)
            self._description = (snap.version, line, examples)
        return line, examples

    def _verified_examples(self, snap: Snapshot, wanted: int = 5, tries: int = 6) -> list[str]:
        """Questions the documents' structure suggests that this version answers (at most `tries` asked)."""
        return [q for q in scope.example_questions(snap.passages)[:tries] if self._answers(snap, q)][:wanted]

    def _answers(self, snap: Snapshot, question: str) -> bool:
        result = self._search(snap, question)
        if self._engine(snap, result) == "rules":
            return self._rules_decide(result, snap)[1].answered
        evidence = self._read(question, *self._reader_search(snap, question, result), snap)
        return evidence is not None and self.decision.answers(evidence.features)

    def scope(self) -> str:
        """Returns: one line on what the corpus holds (its documents, by title and kind)."""
        snap = self._snapshot
        return self._described(snap)[0] if snap else scope.describe({}, [])

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
        result = self._search(snap, prepared.text)
        if result.hits and (fields := about.asked_fields(prepared.text)):
            return self._about(prepared, snap, result.hits[0], fields)
        if self._engine(snap, result) == "rules":
            return self._ask_rules(prepared, snap, result)
        result, rules_result = self._reader_search(snap, prepared.text, result)
        evidence = self._read(prepared.text, result, rules_result, snap)
        probability = self.decision.probability(evidence.features) if evidence else 0.0
        answered = evidence is not None and probability >= self.decision.threshold
        log.info("question", extra={"answered": answered, "probability": round(probability, 3),
                                    "top": evidence.excerpt_id if evidence else None})
        if not answered:
            text = NOT_FOUND + self.scope()
            return self._reply(prepared, KIND_REFUSAL, text, examples=True, version=snap.version)
        return self._answered(prepared, snap, evidence, result.hits)

    def explain(self, question: str) -> tuple[list, str]:
        """What search finds for a question and why the engine that answers it would refuse it (the staff hit test).

        Args:
            question: as a citizen would ask it.

        Returns:
            (the search hits, best first, each with .passage and .score; the refusal reason, "" when answered:
            the rules' reason, or "reader" when the reading model's probability is below its threshold).
        """
        prepared = prepare(question, self.config.answer.max_question_chars)
        if prepared.problem:
            return [], prepared.problem
        snap = self._current()
        result = self._search(snap, prepared.text)
        if self._engine(snap, result) == "rules":
            result, decision = self._rules_decide(result, snap)
            return list(result.hits), "" if decision.answered else decision.reason
        result, rules_result = self._reader_search(snap, prepared.text, result)
        evidence = self._read(prepared.text, result, rules_result, snap)
        answers = evidence is not None and self.decision.answers(evidence.features)
        return list(result.hits), "" if answers else "reader"

    def _search(self, snap: Snapshot, text: str, engine: str = ""):
        """The search an engine reads (default: the configured engine's; "auto" first searches as the rules do): the
        rules weigh passages without their best window unless [answer] window_weight says so, the reader with it."""
        engine = engine or self.config.answer.engine
        window_weight = None if engine == "reader" else self.config.answer.window_weight
        return snap.searcher.search(text, mode=self.config.search.mode, window_weight=window_weight)

    def _engine(self, snap: Snapshot, result) -> str:
        """Which engine answers: the configured one; for "auto", the rules when the best passage is in a news
        article or case story (the kind they were grown from), the reading model for statutes, reports and FAQs."""
        engine = self.config.answer.engine
        if engine != "auto":
            return engine
        if not result.hits:
            return "rules"
        version, kinds = self._kinds
        if version != snap.version:
            kinds = scope.kinds(snap.passages)
            self._kinds = (snap.version, kinds)
        return "rules" if kinds.get(result.hits[0].passage.doc_id, "prose") == "prose" else "reader"

    def _about(self, prepared: Prepared, snap: Snapshot, top, fields: list[str]) -> Answer:
        # Which paper ran the report, who wrote it: its metadata answers, quoted as recorded, never the text.
        info = {"title": top.passage.doc_title, **snap.documents.get(top.passage.doc_id, {})}
        text, answered = about.reply(info, fields)
        log.info("question", extra={"answered": answered, "reason": "about:" + ",".join(fields),
                                    "top": top.passage.passage_id})
        if not answered:
            return self._reply(prepared, KIND_REFUSAL, text + self.scope(), examples=True, version=snap.version)
        return self._reply_answer(prepared, snap, in_script(text, prepared.script), "", top.passage, [top])

    def _reply_answer(self, prepared: Prepared, snap: Snapshot, quoted: str, short: str, cited, hits: list) -> Answer:
        cite = in_script(compose.citation(cited), prepared.script)
        text = f"{short}\n原文：{quoted}\n{cite}" if short else f"{quoted}\n{cite}"
        return Answer(question=prepared.asked, answered=True, answer=text,
                      sources=[self._source(h, prepared.script) for h in hits], kind=KIND_ANSWER,
                      script=prepared.script, notice=prepared.notice, answer_id=uuid.uuid4().hex, citation=cite,
                      index_version=snap.version, quote=quoted, short=short)

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
