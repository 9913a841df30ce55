"""Staff command line: `python -m index build|rebuild|...` (see --help)."""
from __future__ import annotations

import argparse
import sys

from index.config import load_config
from index import cli


def cmd_build(args, config) -> int:
    from index.versioning.build import build_index
    from index.versioning.versions import VersionStore

    vs = VersionStore(config.index_dir, keep=config.index.keep_versions)
    if args.if_missing and vs.current() is not None:
        from index.storage.lexical import lexicon_key

        # An index cut with another administrative word list would not match the questions' words: re-cut it
        # (unchanged passages keep their vectors, so this costs seconds).
        from index.versioning.build import FORMAT
        from index.versioning.reuse import segment_key

        manifest = vs.manifest()
        if manifest.get("format") != FORMAT:
            print(f"index {vs.current()} is of an older format: building it again (unchanged vectors are reused)")
        elif manifest.get("segment") != segment_key(config):
            print(f"index {vs.current()} was cut into passages otherwise: building it again")
        elif manifest.get("lexicon") == lexicon_key():
            print(f"index {vs.current()} is in place ({config.index_dir}); `python -m index rebuild` rebuilds it")
            return 0
        else:
            print(f"index {vs.current()} was cut with another word list (index/storage/civic_words.txt): "
                  "building it again")
    name, stats = build_index(config, progress=not args.quiet, note="build")
    print(f"built index {name}: {stats['passages']} passages ({stats['embedded']} embedded, {stats['reused']} reused), "
          f"{stats['windows']} windows ({stats['windows_embedded']} embedded) in {stats['seconds']} s")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Returns: the argument parser with every staff command."""
    parser = argparse.ArgumentParser(prog="python -m index", description="管理问答资料库与索引 (corpus and index)")
    parser.add_argument("--config", help="config file (default: config.toml or $QABOT_CONFIG)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="build the index from the corpus folder")
    p.add_argument("--if-missing", action="store_true", help="do nothing when an index exists")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("rebuild", help="build a new index version from the whole corpus")
    p.set_defaults(func=cmd_build, if_missing=False)
    try:
        from index.manage import staff  # add, replace, remove, list, show, check, versions, rollback
        staff.register(sub)
    except ImportError:  # pragma: no cover - staff commands not present in this build
        pass
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the staff command line.

    Args:
        argv: arguments (default sys.argv[1:]).

    Returns:
        The exit status (0 ok, 2 a clear error).
    """
    args = build_parser().parse_args(argv)
    return cli.run(lambda: _shared(args, load_config(args.config)))


def _shared(args, config) -> int:
    """Run a command; with [database] url, on the version all replicas serve, and share the version it makes."""
    if not config.database.url:
        return args.func(args, config)
    from index.versioning.pgversions import SharedVersions
    from index.versioning.versions import VersionStore

    shared = SharedVersions(config.database.url, VersionStore(config.index_dir, keep=config.index.keep_versions))
    try:
        shared.pull()  # a change must start from what the replicas serve, not from an older local version
        before = shared.versions.current()
        status = args.func(args, config)
        if shared.versions.current() != before:  # only a command that switched versions shares one
            print(f"shared with every replica: {shared.publish()}")
        return status
    finally:
        shared.close()


if __name__ == "__main__":
    sys.exit(main())
