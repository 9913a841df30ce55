"""Staff commands of `python -m index`: add, replace, remove, list, show, check, versions, rollback."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from index.config import Config
from index.manage import changes, journal

_META_HELP = {"title": "标题 title", "date": "日期 date (YYYY-MM-DD)", "source": "来源 source (publication)",
              "url": "原文链接 url"}


def register(sub) -> None:
    """Add the staff commands to the `python -m index` sub-command parser.

    Args:
        sub: the argparse sub-parsers action of the main parser.
    """
    p = sub.add_parser("add", help="add documents to the corpus and serve them (添加文档)")
    p.add_argument("paths", nargs="+", metavar="PATH", help=".txt .md .docx .pdf .html files")
    _meta_args(p)
    p.set_defaults(func=cmd_add)
    p = sub.add_parser("replace", help="replace a document's file, keeping its id (替换文档)")
    p.add_argument("doc_id", metavar="DOC_ID")
    p.add_argument("path", metavar="PATH")
    _meta_args(p)
    p.set_defaults(func=cmd_replace)
    p = sub.add_parser("remove", help="take a document out of the corpus (删除文档; the file is archived)")
    p.add_argument("doc_id", metavar="DOC_ID")
    p.add_argument("--by", help="who makes the change (default: $USER)")
    p.set_defaults(func=cmd_remove)
    p = sub.add_parser("list", help="the documents of the corpus (文档列表)")
    p.add_argument("--json", action="store_true", help="one JSON array")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("show", help="a document's cleaned text and passages, as the bot quotes them (查看文档)")
    p.add_argument("doc_id", metavar="DOC_ID")
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("check", help="check every corpus file without changing anything (检查资料库)")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("versions", help="the index versions kept (索引版本)")
    p.set_defaults(func=cmd_versions)
    p = sub.add_parser("rollback", help="serve an earlier version again, corpus included (回滚)")
    p.add_argument("version", nargs="?", metavar="VERSION", help="default: the one before the current one")
    p.add_argument("--by", help="who makes the change (default: $USER)")
    p.set_defaults(func=cmd_rollback)
    for name in ("build", "rebuild"):  # defined by __main__; wrapped so they also recover and audit
        if name in sub.choices:
            parser = sub.choices[name]
            parser.set_defaults(func=_audited_build(parser.get_default("func")))
            parser.add_argument("--by", help="who makes the change (default: $USER)")


def _meta_args(p) -> None:
    for key, text in _META_HELP.items():
        p.add_argument(f"--{key}", help=text)
    p.add_argument("--by", help="who makes the change (default: $USER)")


def _meta(args) -> dict:
    return {k: getattr(args, k) for k in _META_HELP if getattr(args, k, None) is not None}


def _say_recovered(messages: list[str]) -> None:
    for m in messages:
        print(f"恢复 / recovered: {m}", file=sys.stderr)


def _waiting_notice(config: Config) -> None:
    try:
        with journal.change_lock(config, wait=False):
            pass
    except journal.ChangeBusy:
        print("another change is in progress; waiting for it to finish ...", file=sys.stderr)


def _recover_first(config: Config) -> None:
    """Read-only commands: finish or undo an interrupted change first, unless a live change holds the lock."""
    try:
        with journal.change_lock(config, wait=False):
            _say_recovered(journal.recover(config))
    except journal.ChangeBusy:
        print("note: a change to the corpus is in progress; this shows the state before it", file=sys.stderr)


def _report(result: changes.ChangeResult) -> None:
    _say_recovered(result.recovered)
    s = result.stats
    for doc_id, n in result.passages.items():
        print(f"{doc_id}\t{n} passages")
    if result.action == "remove":
        print(f"removed {', '.join(result.doc_ids)} (the file is archived; `rollback` brings it back)")
    if s:
        print(f"index version {result.version}: {s['passages']} passages ({s['embedded']} embedded, "
              f"{s['reused']} reused) in {s['seconds']} s", file=sys.stderr)


def cmd_add(args, config: Config) -> int:
    _waiting_notice(config)
    _report(changes.add_documents(config, [Path(p) for p in args.paths], _meta(args), by=args.by))
    return 0


def cmd_replace(args, config: Config) -> int:
    _waiting_notice(config)
    _report(changes.replace_document(config, args.doc_id, Path(args.path), _meta(args), by=args.by))
    return 0


def cmd_remove(args, config: Config) -> int:
    _waiting_notice(config)
    _report(changes.remove_document(config, args.doc_id, by=args.by))
    return 0


def cmd_rollback(args, config: Config) -> int:
    _waiting_notice(config)
    result = changes.rollback(config, args.version, by=args.by)
    _say_recovered(result.recovered)
    print(f"now serving index version {result.version} ({len(result.doc_ids)} documents)")
    return 0


def cmd_list(args, config: Config) -> int:
    from index.manage.corpus_view import list_documents

    _recover_first(config)
    rows = list_documents(config)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    for r in rows:
        state = "" if r["indexed"] else "  [not in the served index: run rebuild]"
        print(f"{r['doc_id']}\t{r['passages'] if r['passages'] is not None else '-'} passages\t{r['date'] or '-'}\t"
              f"{r['title']}{state}")
    print(f"{len(rows)} documents", file=sys.stderr)
    return 0


def cmd_show(args, config: Config) -> int:
    from index.manage.corpus_view import show_document

    _recover_first(config)
    print(show_document(config, args.doc_id))
    return 0


def cmd_check(args, config: Config) -> int:
    from index.manage.corpus_view import check_corpus

    _recover_first(config)
    report = check_corpus(config)
    for line in report.problems:
        print(f"问题 / problem: {line}")
    for line in report.warnings:
        print(f"注意 / warning: {line}")
    print(f"{report.documents} documents checked, {report.passages} passages, {len(report.problems)} problems")
    return 1 if report.problems else 0


def cmd_versions(args, config: Config) -> int:
    _recover_first(config)
    rows = journal.versions(config).list()
    if not rows:
        print("no index version yet: run `python -m index build`")
        return 0
    for r in rows:
        c = r.get("counts", {})
        mark = "*" if r["current"] else " "
        print(f"{mark} {r['name']}\t{r['created']}\t{r.get('documents', '?')} documents\t"
              f"{c.get('passages', '?')} passages\t{r.get('note', r.get('error', ''))}")
    return 0


def _audited_build(original):
    def run(args, config: Config) -> int:
        from index.manage import audit

        _waiting_notice(config)
        with journal.change_lock(config):
            _say_recovered(journal.recover(config))
            before = journal.versions(config).current()
            code = original(args, config)
            after = journal.versions(config).current()
            if after != before:
                audit.record(config, args.command, [], audit.who(getattr(args, "by", None)), after)
        return code

    return run

