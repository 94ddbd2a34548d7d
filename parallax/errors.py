"""The one exception that carries editors' problems, and the problem type itself."""

from __future__ import annotations

import re
from dataclasses import dataclass

# One problem is one line: line breaks, tabs and other control characters that came from the
# content (a key with a newline in it) are shown as escapes, never sent to the terminal as is.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _one_line(text: str) -> str:
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) in one place of the content."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        return _one_line(f"{self.path}:{self.line}:{field} {self.message}")


class ContentError(Exception):
    """Editors' mistakes, all of them at once. Printed without a traceback."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))
