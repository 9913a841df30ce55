"""The reading model's part of the service: read the best excerpts, weigh them, quote the accepted one."""
from __future__ import annotations

from bot import compose
from bot.read.decide import Decision, Evidence, weigh
from bot.read.excerpt import shortlist
from bot.schema import Answer
from bot.understand.normalize import Prepared, in_script
from index.retrieval.snapshot import Snapshot


class ReadingEngine:
    """Mixed into QAService: answers with the reading model ([answer] engine "reader", or "auto" on statutes,
    reports and FAQs).

    Uses the service's config, _current(), _search(), _rules_opinion() and _reply_answer().
    """

    _reader = None
    _decision: Decision | None = None

    @property
    def reader(self):
        """The reading model (bot/read/), built from the shipped weights on first use."""
        if self._reader is None:
            from bot.read.build import base_folder, ensure, weights_folder
            from bot.read.reader import Reader

            base = base_folder(self.config)
            self._reader = Reader(ensure(self.config.models_dir, base, weights_folder(self.config)), base,
                                  self.config.reader.threads)
        return self._reader

    @property
    def decision(self) -> Decision:
        """The calibrated answer-or-refuse model (weights/decision.json; the reader's own logit before calibration)."""
        if self._decision is None:
            from bot.read.build import weights_folder

            path = weights_folder(self.config) / "decision.json"
            self._decision = Decision.load(path) if path.is_file() else Decision.from_logit()
        return self._decision

    def _reader_search(self, snap: Snapshot, text: str, result) -> tuple:
        """Returns: (the reader's search result, the rules' one when already made, else None), from the result of
        the configured search."""
        if self.config.answer.engine == "reader":
            return result, None
        return self._search(snap, text, "reader"), result

    def _read(self, text: str, result, rules_result=None, snap: Snapshot | None = None) -> Evidence | None:
        """The reading model over an excerpt of each of the best hits: the likeliest answer and its figures, the rule
        engine's verdict among them (over rules_result, its search, when already made)."""
        cfg = self.config.reader
        snap = snap or self._current()
        chosen = shortlist(result.query, result.hits, cfg.passages, cfg.excerpt_chars)
        readings = self.reader.read(text, [e for e, _ in chosen])
        read = [(r, h) for r, (_, h) in zip(readings, chosen)]
        return weigh(result.query, read, snap.searcher.document_evidence,
                     self._rules_opinion(text, snap, rules_result))

    def _answered(self, prepared: Prepared, snap: Snapshot, evidence: Evidence, hits: list) -> Answer:
        quoted = compose.quote(evidence.reading, self.config.answer.max_chars, prepared.script)
        short = in_script(compose.short_answer(evidence.reading, self.config.answer.short_answer_score, quoted),
                          prepared.script)
        cited = evidence.reading.excerpt.passage
        # The passage quoted first, then the other hits that score close to the best.
        top = max(h.score for h in hits) if hits else 0.0
        shown = [evidence.hit] + [h for h in hits if h is not evidence.hit and h.score >= 0.85 * top]
        return self._reply_answer(prepared, snap, quoted, short, cited, shown)
