"""Problems found in framework and responses files, reported all at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a document.

    ``path`` is where it is: a YAML path such as ``criteria[0].children[2].rule.kind``, or a
    response key such as ``responses."1.1.3".value``. ``code`` is the criterion code when the
    problem belongs to a criterion, because that is what a commune officer recognises.
    """

    path: str
    message: str
    code: str | None = None

    def __str__(self) -> str:
        if self.code and self.path:
            return f"{self.code} ({self.path}): {self.message}"
        return f"{self.code or self.path or '(tệp)'}: {self.message}"


class ScoringError(Exception):
    """Base class of everything the scoring package raises on bad input."""


class FileUnreadable(ScoringError):
    """The file cannot be read or parsed at all (missing, not text, broken YAML/JSON)."""


class ProblemsError(ScoringError):
    """A document was read but is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class DocumentInvalid(ProblemsError):
    """The YAML/JSON itself is ambiguous (for example a key written twice)."""


class FrameworkInvalid(ProblemsError):
    """A framework document breaks the parindex-framework/1 rules."""


class ResponsesInvalid(ProblemsError):
    """Responses that cannot be scored against the framework."""
