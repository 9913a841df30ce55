"""The rule engine's part of the service: decide, quote, and its verdict as the reader's second opinion."""
from __future__ import annotations

import dataclasses
import logging

from bot.rules import answer as answering
from bot.rules import decide as deciding
from bot.schema import KIND_REFUSAL, NOT_FOUND, Answer
from bot.understand.normalize import Prepared
from index.retrieval.snapshot import Snapshot

log = logging.getLogger("bot.service")


class RuleEngine:
    """Mixed into QAService: answers with the rules ([answer] engine "rules", or "auto" on news and case stories).

    Uses the service's config, encoder, scope(), _search(), _reply() and _reply_answer().
    """

    _sentence_cache: dict[str, object]

    def _rules_decide(self, result, snap: Snapshot):
        """Returns: (the search result with the hit holding the asked kind of answer first, the rules' decision)."""
        cfg = self.config.answer
        # The top document's window that holds the kind of answer asked for ("哪个网站" -> a named site) goes first.
        result = dataclasses.replace(result, hits=deciding.prefer_typed(result.query, result.hits,
                                                                         cfg.type_rerank_ratio))
        document = snap.searcher.document_evidence(result.hits[0].passage.doc_id) if result.hits else ""
        return result, deciding.decide(result.query, result.hits, cfg, document)

    def _ask_rules(self, prepared: Prepared, snap: Snapshot, result) -> Answer:
        result, decision = self._rules_decide(result, snap)
        log.info("question", extra={"answered": decision.answered, "reason": decision.reason,
                                    "top": result.hits[0].passage.passage_id if result.hits else None})
        if not decision.answered:
            text = NOT_FOUND + self.scope()
            return self._reply(prepared, KIND_REFUSAL, text, examples=True, version=snap.version)
        top = result.hits[0]
        # Another window of the same document may hold the answering sentence (overlapping windows split a paragraph).
        quoted_from = answering.best_window(result.query, [h.passage for h in result.hits], prepared.text,
                                            self.config.answer.window_margin)
        sims = self._sentence_sims(prepared.text, quoted_from)
        quoted = answering.quote(result.query, quoted_from, prepared.text, self.config.answer, prepared.script, sims)
        hits = [h for h in result.hits if h is top or h.score >= 0.85 * top.score]
        return self._reply_answer(prepared, snap, quoted, "", quoted_from, hits)

    def _sentence_sims(self, text: str, passage) -> list[float] | None:
        if self.config.answer.sentence_dense_weight <= 0 or len(passage.sentences) < 2:
            return None
        q = self.encoder.encode_queries([text])[0]
        vecs = self._sentence_cache.get(passage.passage_id)
        if vecs is None:
            # Sentences of a version never change: embed each passage's once, on first use.
            vecs = self.encoder.encode_documents(list(passage.sentences))
            self._sentence_cache[passage.passage_id] = vecs
        return [float(v @ q) for v in vecs]

    def _rules_opinion(self, text: str, snap: Snapshot, result=None) -> tuple[bool, str]:
        """Returns: whether the rule engine answers the question, and the passage id it would quote ("" for none)."""
        result, decision = self._rules_decide(result or self._search(snap, text, "rules"), snap)
        if not result.hits:
            return False, ""
        quoted = answering.best_window(result.query, [h.passage for h in result.hits], text,
                                       self.config.answer.window_margin)
        return decision.answered, quoted.passage_id
