"""The one exception type for input that cannot be linted."""

from __future__ import annotations


class InputError(Exception):
    """A file that cannot be read or parsed; the message is shown to the user as is.

    Raised by every reader (plist, profile, Mach-O, bundle, project). The engine turns
    it into one clear message for that file and exit code 2; other files go on.
    """

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def excerpt(value: object, limit: int = 40) -> str:
    """A piece of file content as an error message quotes it: a string, cut short.

    Messages name what was wrong (a key, an object id) but must stay one short line
    whatever the file holds; anything that is not a string is named by its type only.
    """
    if not isinstance(value, str):
        return f"a {type(value).__name__}"
    return repr(value) if len(value) <= limit else repr(value[:limit]) + "…"
