"""`python -m bot ask` as a person and as a script would run it: a real subprocess over the real seed index."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def env(built_config, tmp_path_factory):
    conf = tmp_path_factory.mktemp("cli") / "config.toml"
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    conf.write_text(text.replace('corpus_dir = "corpus"', f'corpus_dir = "{built_config.corpus_dir}"')
                    .replace('data_dir = ".cache"', f'data_dir = "{built_config.data_dir}"')
                    .replace('models_dir = ".cache/models"', f'models_dir = "{built_config.models_dir}"'),
                    encoding="utf-8")
    return {**os.environ, "QABOT_CONFIG": str(conf)}


def run(env, *args, stdin=None):
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, input=stdin, text=True,
                          capture_output=True, timeout=300)


def test_ask_prints_answer_and_source_for_a_person(env):
    out = run(env, "ask", "李沧区民营社区卫生服务机构占比是多少？")
    assert out.returncode == 0, out.stderr
    assert "92%" in out.stdout and "李沧区借力民营资本打造社区卫生服务新范本" in out.stdout
    assert "Traceback" not in out.stderr


def test_ask_reads_one_question_a_line_and_prints_json_lines(env):
    out = run(env, "ask", "--json", stdin="市北区划分了多少个责任网格？\n\n明天青岛天气怎么样？\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["answered"] for r in rows] == [True, False]
    assert "1188" in rows[0]["answer"] and rows[0]["sources"][0]["doc_id"] == "000_6ec06563744fe9af"
    assert set(rows[1]) >= {"question", "answered", "answer", "sources"} and rows[1]["sources"] == []


def test_missing_index_is_a_clear_error_not_a_traceback(env, tmp_path):
    conf = Path(env["QABOT_CONFIG"]).read_text(encoding="utf-8")
    broken = tmp_path / "config.toml"
    broken.write_text(conf.replace("data_dir = ", f'data_dir = "{tmp_path / "none"}"\n# ', 1), encoding="utf-8")
    out = run({**env, "QABOT_CONFIG": str(broken)}, "ask", "你好吗")
    assert out.returncode == 2
    assert "python -m index rebuild" in out.stderr and "Traceback" not in out.stderr
    # The evaluation command says the same.
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "q1", "kind": "fact", "question": "市北区划分了多少个责任网格？",
                                     "answerable": True, "expect": ["1188"], "expect_any": False, "note": ""},
                                    ensure_ascii=False) + "\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "bot.evaluate", "--questions", str(questions), "--modes", "hybrid"],
                         cwd=ROOT, env={**env, "QABOT_CONFIG": str(broken)}, text=True, capture_output=True,
                         timeout=300)
    assert out.returncode == 2
    assert "python -m index rebuild" in out.stderr and "Traceback" not in out.stderr


def test_malformed_config_names_the_key(env, tmp_path):
    bad = tmp_path / "config.toml"
    bad.write_text('[server]\nport = "eighty"\n', encoding="utf-8")
    out = run({**env, "QABOT_CONFIG": str(bad)}, "ask", "你好")
    assert out.returncode == 2 and "[server] port" in out.stderr and "Traceback" not in out.stderr
