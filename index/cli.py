"""The command-line edge shared by `python -m index` and `python -m bot`: typed errors become a message and an exit status."""
from __future__ import annotations

import os
import sys
from typing import Callable

from index.errors import QABotError


def run(call: Callable[[], int | None]) -> int:
    """Run a command, translating errors for a person.

    Args:
        call: the command; returns its exit status (None means 0).

    Returns:
        The exit status: the command's, 2 for a clear error (message on stderr, no traceback), 130 on Ctrl+C.
    """
    try:
        return call() or 0
    except QABotError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Whoever read the output (`| head`) has gone: nothing more to say, and no traceback about it.
        sys.stdout = open(os.devnull, "w")
        return 0
