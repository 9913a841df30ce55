"""Reading corpus documents (index/ingest/load.py, with decode.py and extract.py behind it)."""
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from index.errors import DocumentError
from index.ingest import extract
from index.ingest.load import SUPPORTED_SUFFIXES, content_hash, iter_corpus, read_document_file
from tests.docfiles import make_docx, make_pdf, make_scanned_pdf

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "000_6ec06563744fe9af.txt"
LIMIT = 20_000_000
SIMPLIFIED = "青岛市评选出2016年度全市政府系统创新工作案例，十区市均有入选。\n市北区将全区划分为1188个责任网格。\n"
TRADITIONAL = "李滄區政府的《李滄區借力民營資本打造社區衛生服務新範本》的案例，針對當前群眾就醫“看病難”問題。\n"


def write(tmp_path, name, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def reason(path, max_bytes=LIMIT) -> str:
    with pytest.raises(DocumentError) as info:
        read_document_file(path, max_bytes)
    assert info.value.path == str(path)
    assert str(path) in info.value.message  # the message names the file
    return info.value.reason


# --- the seed --------------------------------------------------------------------------------------------


def test_seed_reads_as_received_with_sidecar_metadata():
    text, meta = read_document_file(SEED, LIMIT)
    assert text == SEED.read_bytes().decode("utf-8")  # no cleaning here: pinyin and Traditional stay
    assert "評(píng)選" in text
    assert meta == {"title": "青岛市评选出2016年度全市政府系统创新工作案例", "source": "半岛都市报", "date": "2017-01-17"}


def test_seed_content_hash_is_sha256_of_its_bytes():
    assert content_hash(SEED) == hashlib.sha256(SEED.read_bytes()).hexdigest()


# --- encodings -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, text",
    [
        ("utf-8", SIMPLIFIED),
        ("gbk", SIMPLIFIED),
        ("gbk", TRADITIONAL),  # Traditional characters saved as GBK, as the seed could be
        ("gb18030", SIMPLIFIED + "𠮷与䶮：只有GB18030才能编码的字。\n"),
        ("big5", TRADITIONAL),
        ("utf-16", SIMPLIFIED),  # Python writes a BOM
        ("utf-16-be", None),  # BOM added by hand below
    ],
)
def test_text_encodings_are_detected(tmp_path, encoding, text):
    if text is None:
        data = b"\xfe\xff" + SIMPLIFIED.encode("utf-16-be")
        text = SIMPLIFIED
    else:
        data = text.encode(encoding)
    got, meta = read_document_file(write(tmp_path, "doc.txt", data), LIMIT)
    assert got == text
    assert meta == {}


def test_big5_is_not_misread_as_gb18030(tmp_path):
    data = TRADITIONAL.encode("big5")
    data.decode("gb18030")  # the trap: Big5 bytes are valid GB18030 too
    got, _ = read_document_file(write(tmp_path, "tw.txt", data), LIMIT)
    assert got == TRADITIONAL


def test_seed_as_gbk_and_gb18030_round_trips(tmp_path):
    original = SEED.read_text(encoding="utf-8")
    for encoding in ("gbk", "gb18030"):
        got, _ = read_document_file(write(tmp_path, f"seed_{encoding}.txt", original.encode(encoding)), LIMIT)
        assert got == original


def test_utf8_bom_is_removed(tmp_path):
    got, _ = read_document_file(write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + SIMPLIFIED.encode()), LIMIT)
    assert got == SIMPLIFIED and not got.startswith("\ufeff")


def test_line_endings_become_newlines(tmp_path):
    got, _ = read_document_file(write(tmp_path, "crlf.txt", "第一行\r\n第二行\r第三行\n".encode("gbk")), LIMIT)
    assert got == "第一行\n第二行\n第三行\n"


def test_other_legacy_encodings_fall_back_to_charset_detection(tmp_path):
    text = "Le préfet a présenté les cas d'innovation de Qingdao aux élus, santé et coûts compris.\n" * 4
    got, _ = read_document_file(write(tmp_path, "fr.txt", text.encode("cp1252")), LIMIT)
    assert "préfet a présenté" in got


def test_undecodable_bytes_are_refused(tmp_path):
    rng = random.Random(7)
    data = bytes(rng.randrange(1, 256) for _ in range(4000))
    assert "cannot be decoded" in reason(write(tmp_path, "noise.txt", data))


def test_nul_bytes_mean_a_binary_file(tmp_path):
    data = SIMPLIFIED.encode() + b"\x00\x00\x01\x02binary"
    assert "NUL bytes" in reason(write(tmp_path, "bin.txt", data))


def test_broken_utf16_after_bom_is_refused(tmp_path):
    assert "byte-order mark" in reason(write(tmp_path, "odd.txt", b"\xff\xfeA"))


# --- front matter and sidecar ----------------------------------------------------------------------------


def test_front_matter_is_parsed_and_removed(tmp_path):
    doc = ('---\ntitle: "市北区网格化治理"\nsource: 青岛日报\ndate: 2017-02-01\nurl: http://example.org/a\n'
           "layout: post\n# a comment\n---\n\n# 市北区\n正文第一段。\n")
    got, meta = read_document_file(write(tmp_path, "a.md", doc.encode()), LIMIT)
    assert got == "# 市北区\n正文第一段。\n"
    assert meta == {"title": "市北区网格化治理", "source": "青岛日报", "date": "2017-02-01",
                    "url": "http://example.org/a"}


def test_front_matter_in_gbk_txt(tmp_path):
    doc = "---\ntitle: 即墨市互联网工业\n---\n正文。\n"
    got, meta = read_document_file(write(tmp_path, "b.txt", doc.encode("gbk")), LIMIT)
    assert (got, meta) == ("正文。\n", {"title": "即墨市互联网工业"})


def test_unclosed_dashes_are_text_not_front_matter(tmp_path):
    doc = "---\n正文，没有元数据。\n"
    assert read_document_file(write(tmp_path, "c.md", doc.encode()), LIMIT) == (doc, {})


@pytest.mark.parametrize("bad, expected", [("date: 2017年1月17日", "YYYY-MM-DD"), ("date: 2017-1-7", "YYYY-MM-DD"),
                                           ("date: 2017-02-30", "YYYY-MM-DD"), ("这一行没有冒号", "key: value")])
def test_bad_front_matter_is_refused(tmp_path, bad, expected):
    doc = f"---\ntitle: 标题\n{bad}\n---\n正文。\n"
    assert expected in reason(write(tmp_path, "d.md", doc.encode()))


def test_sidecar_overrides_and_extends(tmp_path):
    path = write(tmp_path, "e.md", "---\ntitle: 旧标题\nsource: 来源甲\n---\n正文。\n".encode())
    sidecar = tmp_path / "e.meta.json"
    sidecar.write_text(json.dumps({"title": "新标题", "date": "2018-03-04", "url": ""}, ensure_ascii=False),
                       encoding="utf-8")
    _, meta = read_document_file(path, LIMIT)
    assert meta == {"title": "新标题", "source": "来源甲", "date": "2018-03-04"}


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"{not json", "not valid UTF-8 JSON"),
        (b'["title"]', "one JSON object"),
        ('{"tittle": "错字"}'.encode(), "unknown metadata key(s) tittle"),
        (b'{"date": 20170117}', "must be text"),
        (b'{"date": "17/01/2017"}', "YYYY-MM-DD"),
    ],
)
def test_bad_sidecar_is_refused_naming_the_sidecar(tmp_path, content, expected):
    path = write(tmp_path, "f.txt", "正文。".encode())
    (tmp_path / "f.meta.json").write_bytes(content)
    with pytest.raises(DocumentError) as info:
        read_document_file(path, LIMIT)
    assert info.value.path == str(tmp_path / "f.meta.json")
    assert expected in info.value.reason


# --- bad files -------------------------------------------------------------------------------------------


def test_empty_file(tmp_path):
    assert "empty" in reason(write(tmp_path, "empty.txt", b""))


def test_whitespace_only_file(tmp_path):
    assert "only whitespace" in reason(write(tmp_path, "blank.md", " \r\n\t\u3000\n".encode()))


@pytest.mark.parametrize("name", ["old.doc", "sheet.xlsx", "noext", "scan.png"])
def test_unsupported_type(tmp_path, name):
    path = write(tmp_path, name, b"whatever")
    with pytest.raises(DocumentError, match="unsupported file type") as info:
        read_document_file(path, LIMIT)
    assert ".docx" in info.value.hint


def test_upper_case_suffix_is_accepted(tmp_path):
    assert read_document_file(write(tmp_path, "UP.TXT", SIMPLIFIED.encode()), LIMIT)[0] == SIMPLIFIED


def test_file_over_the_size_limit(tmp_path):
    path = write(tmp_path, "big.txt", SIMPLIFIED.encode() * 100)
    assert "over the size limit" in reason(path, max_bytes=1000)
    assert read_document_file(path, max_bytes=path.stat().st_size)[0] == SIMPLIFIED * 100  # the limit is inclusive


def test_missing_file_and_folder(tmp_path):
    assert reason(tmp_path / "gone.txt") == "file not found"
    (tmp_path / "dir.txt").mkdir()
    assert "folder" in reason(tmp_path / "dir.txt")


AS_NOBODY = r"""
import os, sys
sys.path.insert(0, sys.argv[1])
from index.errors import DocumentError
from index.ingest.load import read_document_file
os.setgid(65534); os.setuid(65534)  # root reads every file: drop to 'nobody' to meet a permission error
try:
    read_document_file(sys.argv[2], 1000)
except DocumentError as exc:
    print(exc.reason)
"""


def test_unreadable_file(tmp_path):
    if os.geteuid() != 0:
        path = write(tmp_path, "locked.txt", SIMPLIFIED.encode())
        path.chmod(0)
        assert reason(path) == "cannot be read: permission denied"
        return
    # pytest's base folder is private to root, so 'nobody' gets a folder of its own that it may enter.
    folder = Path(tempfile.mkdtemp(prefix="qabot-load-"))
    try:
        folder.chmod(0o755)
        path = write(folder, "locked.txt", SIMPLIFIED.encode())
        path.chmod(0)
        out = subprocess.run([sys.executable, "-c", AS_NOBODY, str(ROOT), str(path)], capture_output=True,
                             text=True, timeout=60)
        assert out.stdout.strip() == "cannot be read: permission denied", out.stderr
    finally:
        shutil.rmtree(folder)


# --- docx, pdf, html -------------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_cells_in_order(tmp_path):
    path = make_docx(tmp_path / "cases.docx", ["# 2016年度创新工作案例", "即墨市政府发展互联网+制造。"],
                     table=[["获奖单位名单", "", ""], ["单位", "案例", "年份"], ["市人社局", "补充医保", "2016"]],
                     title="创新案例汇编", merge_first_row=True)
    text, meta = read_document_file(path, LIMIT)
    assert text == ("2016年度创新工作案例\n即墨市政府发展互联网+制造。\n获奖单位名单\n单位\t案例\t年份\n"
                    "市人社局\t补充医保\t2016\n表后说明。")
    assert meta == {"title": "创新案例汇编"}


def test_docx_word_file_name_title_is_ignored(tmp_path):
    path = make_docx(tmp_path / "w.docx", ["正文。"], title="Microsoft Word - 1.doc")
    assert read_document_file(path, LIMIT) == ("正文。", {})


def test_docx_without_text(tmp_path):
    assert "only whitespace" in reason(make_docx(tmp_path / "blank.docx", ["", "  "]))


def test_broken_docx(tmp_path):
    assert "not a valid .docx" in reason(write(tmp_path, "broken.docx", b"PK\x03\x04 not really a zip"))


def test_pdf_text_layer_with_chinese(tmp_path):
    path = make_pdf(tmp_path / "r.pdf", [["青岛市评选出2016年度全市政府系统创新工作案例", "十区市均有入选。"],
                                         ["市北区将全区划分为1188个责任网格。"]], title="创新案例")
    text, meta = read_document_file(path, LIMIT)
    assert text.split("\n") == ["青岛市评选出2016年度全市政府系统创新工作案例", "十区市均有入选。", "",
                                "市北区将全区划分为1188个责任网格。"]
    assert meta == {"title": "创新案例"}


def test_pdf_without_text_layer(tmp_path):
    assert "no text layer (scanned PDF?)" in reason(make_scanned_pdf(tmp_path / "scan.pdf"))


def test_broken_pdf(tmp_path):
    assert "not a readable PDF" in reason(write(tmp_path, "broken.pdf", b"%PDF-1.7\ngarbage without xref\n"))


PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>青岛市政府系统创新工作案例_青岛政务网</title>
<meta name="PubDate" content="2017-1-18 09:30"><meta name="ContentSource" content="半岛都市报">
<link rel="canonical" href="http://www.qingdao.gov.cn/n172/170118.html">
<script>var menu = "脚本里的字";</script><style>.x{{color:red}}</style>
<body>
<header><div>青岛政务网 首页 登录</div></header>
<nav><ul><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开栏目</a></li></ul></nav>
<div class="main"><article>
<h1>青岛市评选出2016年度全市政府系统创新工作案例</h1>
<p>1月17日记者采访获悉，本市评选出2016年度全市政府系统创新工作案例，十区市均有入选，另有政府部门、功能区、重点项目等获奖。</p>
<p>据悉，此次评选采取第三方独立评审，由人大代表、政协委员、高等院校和研究机构学者等组成的评审组，以创新性、领先性、实效性为标准。</p>
<p>市北区政府的创新则着眼于社会治理，努力建设城市治理网格化系统，将全区划分为1188个责任网格，配备800余名网格巡治员。</p>
</article></div>
<footer><p>版权所有：青岛市人民政府办公厅 鲁ICP备05001234号</p></footer>
</body></html>
"""


@pytest.mark.parametrize("use_trafilatura", [True, False])
@pytest.mark.parametrize("charset, encoding", [("utf-8", "utf-8"), ("gb2312", "gb18030")])
def test_html_main_text_without_boilerplate(tmp_path, monkeypatch, use_trafilatura, charset, encoding):
    if not use_trafilatura:
        monkeypatch.setattr(extract, "_trafilatura_text", lambda html: "")
    path = write(tmp_path, "page.html", PAGE.format(charset=charset).encode(encoding))
    text, meta = read_document_file(path, LIMIT)
    assert "本市评选出2016年度全市政府系统创新工作案例" in text
    assert "配备800余名网格巡治员。" in text
    for boilerplate in ("政务公开栏目", "版权所有", "登录", "脚本里的字", "color:red"):
        assert boilerplate not in text
    assert meta == {"title": "青岛市政府系统创新工作案例_青岛政务网", "url": "http://www.qingdao.gov.cn/n172/170118.html",
                    "date": "2017-01-18", "source": "半岛都市报"}


def test_htm_with_wrong_charset_label_is_detected(tmp_path):
    page = "<html><head><meta charset='utf-8'><title>标题</title></head><body><p>正文，十区市均有入选。</p></body></html>"
    text, meta = read_document_file(write(tmp_path, "p.htm", page.encode("gbk")), LIMIT)
    assert "十区市均有入选" in text and meta["title"] == "标题"


def test_html_without_text(tmp_path):
    page = b"<html><head><title>x</title></head><body><nav>menu</nav><script>1</script></body></html>"
    assert "only whitespace" in reason(write(tmp_path, "empty.html", page))


# --- corpus folder ---------------------------------------------------------------------------------------


def test_iter_corpus_lists_documents_only(tmp_path):
    for name in ["b.txt", "a.md", "README.md", "a.meta.json", ".hidden.txt", "~$open.docx", "c.PDF", "x.doc",
                 "sub/d.html", ".git/e.txt", "sub/.cache/f.txt", "sub/readme.MD"]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    (tmp_path / "folder.txt").mkdir()
    assert [p.relative_to(tmp_path).as_posix() for p in iter_corpus(tmp_path)] == ["a.md", "b.txt", "c.PDF",
                                                                                  "sub/d.html"]


def test_iter_corpus_of_the_project_has_the_seed():
    assert SEED in iter_corpus(ROOT / "corpus")
    assert all(p.suffix.lower() in SUPPORTED_SUFFIXES for p in iter_corpus(ROOT / "corpus"))


def test_iter_corpus_missing_folder(tmp_path):
    with pytest.raises(DocumentError, match="corpus folder not found"):
        iter_corpus(tmp_path / "nope")


def test_content_hash_of_missing_file(tmp_path):
    with pytest.raises(DocumentError, match="file not found"):
        content_hash(tmp_path / "nope.txt")
