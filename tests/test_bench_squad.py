"""SQuAD-format files become corpus documents and questions; the corpus folder is mirrored, not rewritten."""
from __future__ import annotations

import json

from bench.squad import load_squad, mirror, write_corpus
from index.ingest.load import read_document_file


def _squad(tmp_path, data):
    path = tmp_path / "set.json"
    path.write_text(json.dumps({"version": "1", "data": data}, ensure_ascii=False), encoding="utf-8")
    return path


SAMPLE = [
    {"title": "锣鼓经", "paragraphs": [
        {"id": "DEV_0", "context": "锣鼓经是大陆传统器乐及戏曲里面常用的打击乐记谱方法。",
         "qas": [{"id": "q1", "question": "锣鼓经是什么？", "answers": [
             {"text": "打击乐记谱方法", "answer_start": 18}, {"text": "打击乐记谱方法", "answer_start": 18},
             {"text": " 记谱方法 ", "answer_start": -1}]},
             {"id": "q2", "question": "没有答案？", "answers": [{"text": "  ", "answer_start": 0}]}]}]},
    {"title": "梵文", "paragraphs": [
        {"id": "1147-5", "context": "在歐洲，梵語的學術研究，由德國學者陸特和漢斯雷頓開創。",
         "qas": [{"id": "1147-5-1", "question": "哪一地區？", "answers": [{"id": "1", "text": "歐洲"}]}]}]},
]


def test_contexts_and_questions_in_file_order_with_distinct_spans(tmp_path):
    contexts, questions = load_squad(_squad(tmp_path, SAMPLE))
    assert [c.doc_id for c in contexts] == ["0000_DEV_0", "0001_1147-5"]
    assert contexts[1].title == "梵文" and contexts[1].text.startswith("在歐洲")
    # duplicates merged, whitespace stripped; a question without any non-blank answer is dropped
    assert [(q.qid, q.doc_id, q.answers) for q in questions] == [
        ("q1", "0000_DEV_0", ("打击乐记谱方法", "记谱方法")), ("1147-5-1", "0001_1147-5", ("歐洲",))]


def test_written_documents_read_back_with_their_titles(tmp_path):
    contexts, _ = load_squad(_squad(tmp_path, SAMPLE))
    folder = tmp_path / "corpus"
    assert write_corpus(contexts, folder) == 4
    text, meta = read_document_file(folder / "0001_1147-5.txt", 1_000_000)
    assert text == contexts[1].text and meta == {"title": "梵文"}


def test_mirror_rewrites_only_changed_files_and_removes_stale_ones(tmp_path):
    folder = tmp_path / "c"
    mirror({"a.txt": b"one", "b.txt": b"two"}, folder)
    before = (folder / "a.txt").stat().st_mtime_ns
    assert mirror({"a.txt": b"one", "c.txt": b"three"}, folder) == 1
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt", "c.txt"]
    assert (folder / "a.txt").stat().st_mtime_ns == before
