"""Typed errors for the whole program; translated to messages only at the edges."""


class QABotError(Exception):
    """Base of every error this program raises on purpose.

    Attributes:
        hint: what the user or operator can do about it (a command, a setting).
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(QABotError):
    """config.toml or an environment override is malformed."""


class DependencyMissing(QABotError):
    """An optional heavy dependency is not installed."""


class DatabaseError(QABotError):
    """The shared database ([database] url) cannot be reached, refuses the login, or lacks pgvector."""


class IndexMissing(QABotError):
    """No built index exists where config points."""


class IndexCorrupt(QABotError):
    """An index folder exists but cannot be read, or fails its checks."""


class IndexMismatch(QABotError):
    """The index was built with another embedding model or dimension."""


class ModelError(QABotError):
    """The embedding model cannot be built or loaded (unexpected source format, unreadable folder)."""


class DocumentError(QABotError):
    """A document cannot be read, decoded or accepted."""

    def __init__(self, path: str, reason: str, hint: str = "") -> None:
        super().__init__(f"{path}: {reason}", hint)
        self.path = path
        self.reason = reason


class UnknownDocument(QABotError):
    """A document id that the corpus does not hold."""


class UnknownVersion(QABotError):
    """An index version name that does not exist (or no earlier version to roll back to)."""


class QuestionError(QABotError):
    """A question that cannot be asked as it is (empty, too long)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def require(module: str, package: str | None = None):
    """Import a heavy dependency lazily, failing with an install hint.

    Args:
        module: the module to import, e.g. "faiss".
        package: the pip package that provides it, when its name differs.

    Returns:
        The imported module.
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise DependencyMissing(
            f"the Python package '{package or module}' is not installed ({exc})",
            hint="run `make setup`, or `.venv/bin/pip install -r requirements.txt`",
        ) from exc
