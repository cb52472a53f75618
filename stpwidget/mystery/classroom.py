"""A class made by the lecturer: a code students type, which carries the rules, and a key.

The code is ``name/trials/shown|hidden/commitment``, e.g. ``"BIO-412/100/hidden/3f9a2c1b7e"``:
the class's name, the trial budget of every student, whether a student may see their score
before grading, and the first hex digits of SHA-256 of the lecturer's key. A student's
notebook reads the rules from the code alone (there is no server), and the commitment lets
:meth:`MysterySynapse.reveal` and :func:`grade` check a key without storing it.

A *plain* code (any text without that shape, as before classes existed) keeps the old
rules: 100 trials, score shown, and the code itself is the key, so it protects nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import secrets
from collections.abc import Sequence
from typing import Any

from stpwidget.mystery._text import canonical, check_name

__all__ = ["DEFAULT_TRIALS", "MAX_TRIALS", "ClassSettings", "Classroom", "class_settings"]

#: Trial budget of a plain class code (and the default of :meth:`Classroom.create`).
DEFAULT_TRIALS = 100
#: Largest budget a class may set.
MAX_TRIALS = 10_000
_FORMAT = "stpwidget.classroom/1"
_CODE = re.compile(
    r"^(?P<name>.+)/(?P<trials>\d+)/(?P<score>shown|hidden)/(?P<commit>[0-9a-f]{10})$"
)


@dataclasses.dataclass(frozen=True)
class ClassSettings:
    """The rules a class code carries.

    Attributes
    ----------
    trials : int
        Trials each student may record in all (one budget per synapse object).
    show_score : bool
        Whether :func:`score` (and the explorer's **submit**) shows a student's error before
        grading.
    keyed : bool
        True for a code made by :meth:`Classroom.create` (it commits to a secret key);
        False for a plain code, whose key is the code itself.
    """

    trials: int
    show_score: bool
    keyed: bool
    _commit: str = dataclasses.field(default="", repr=False)

    def accepts(self, class_code: str, key: Any) -> bool:
        """Whether ``key`` is this class's key (``TypeError`` unless a ``str``)."""
        if not isinstance(key, str):
            raise TypeError(f"key must be a str (the lecturer's key); got {type(key).__name__}")
        if self.keyed:
            return secrets.compare_digest(_commitment(key.strip()), self._commit)
        return canonical(key) == canonical(class_code)


def class_settings(class_code: str) -> ClassSettings:
    """The rules carried by a (checked, non-empty) class code."""
    match = _CODE.match(canonical(class_code))
    if match is None or not 1 <= int(match["trials"]) <= MAX_TRIALS:
        return ClassSettings(DEFAULT_TRIALS, True, False)
    return ClassSettings(int(match["trials"]), match["score"] == "shown", True, match["commit"])


def _commitment(key: str) -> str:
    return hashlib.sha256(b"stpwidget.key/1\0" + key.encode("utf-8")).hexdigest()[:10]


@dataclasses.dataclass(frozen=True, repr=False)
class Classroom:
    """A class: its name, rules, roster and the lecturer's secret key.

    Make one with :meth:`create` (or read one with :meth:`load`); give students
    :attr:`code` and keep :attr:`key` (or the saved file) to yourself.

    Attributes
    ----------
    name : str
        The class's name, e.g. ``"BIO-412"``.
    trials : int
        Each student's budget of trials.
    show_score : bool
        Whether students see their error before grading.
    roster : tuple of str
        The students' names, as they will type them (empty: no roster).
    key : str
        The lecturer's secret: :meth:`MysterySynapse.reveal` and :func:`grade` need it.
    """

    name: str
    trials: int
    show_score: bool
    roster: tuple[str, ...]
    key: str
    plain: bool = False

    @classmethod
    def create(
        cls,
        name: str,
        trials: int = DEFAULT_TRIALS,
        roster: Sequence[str] = (),
        show_score: bool = False,
    ) -> Classroom:
        """A new class with a fresh random key.

        Parameters
        ----------
        name : str
            The class's name (non-empty), e.g. the course number.
        trials : int, default 100
            Trials each student may record, in [1, 10000].
        roster : sequence of str, default ()
            The students' names (each non-empty, no two the same after case, spacing and
            Unicode normalisation). :func:`grade` gives one row per roster student.
        show_score : bool, default False
            Let students see their held-out error before grading (it lets them tune on
            the test: keep it False when the score counts).

        Raises
        ------
        TypeError
            For an argument of the wrong type (``trials`` not an int, ``roster`` a single str).
        ValueError
            For an empty name, ``trials`` outside [1, 10000], or a blank or repeated
            roster name.
        """
        name = check_name("name", name)
        if isinstance(trials, bool) or not isinstance(trials, int):
            raise TypeError(f"trials must be an int in [1, {MAX_TRIALS}]; got {trials!r}")
        if not 1 <= trials <= MAX_TRIALS:
            raise ValueError(f"trials must be an int in [1, {MAX_TRIALS}]; got {trials}")
        if not isinstance(show_score, bool):
            raise TypeError(f"show_score must be True or False; got {show_score!r}")
        return cls(name, trials, show_score, _roster(roster), secrets.token_hex(16))

    @classmethod
    def from_code(cls, class_code: str, key: str | None = None) -> Classroom:
        """The class of a code: a plain code needs no key, a keyed code its key (no roster).

        Raises
        ------
        ValueError
            If a keyed code comes without its key, or with another key.
        """
        code = check_name("class_code", class_code)
        settings = class_settings(code)
        if not settings.keyed:
            return cls(code, settings.trials, settings.show_score, (), code, plain=True)
        if key is None or not settings.accepts(code, key):
            raise ValueError(
                "key: this class code was made by Classroom.create and needs its key "
                "(Classroom.load(path) reads the saved class)"
            )
        name = code.rsplit("/", 3)[0]
        return cls(name, settings.trials, settings.show_score, (), key.strip())

    @property
    def code(self) -> str:
        """What students type: the name and the rules, e.g. ``BIO-412/100/hidden/3f9a2c1b7e``."""
        if self.plain:
            return self.name
        shown = "shown" if self.show_score else "hidden"
        return f"{self.name}/{self.trials}/{shown}/{_commitment(self.key)}"

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the class (key included: keep the file private) as JSON to ``path``."""
        fields = {k: getattr(self, k) for k in ("name", "trials", "show_score", "key")}
        data = {"format": _FORMAT, **fields, "roster": list(self.roster), "plain": self.plain}
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Classroom:
        """Read a class written by :meth:`save`; ``ValueError`` for another file."""
        with open(path, encoding="utf-8") as f:
            try:
                data = json.load(f)
            except json.JSONDecodeError as err:
                raise ValueError(f"path: {path} is not a saved Classroom ({err})") from None
        fields = ("name", "trials", "roster", "show_score", "key")
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError(f"path: {path} is not a saved Classroom (no {_FORMAT!r} format)")
        if any(f not in data for f in fields):
            raise ValueError(f"path: {path} is not a saved Classroom (it needs {fields})")
        room = cls.create(data["name"], data["trials"], data["roster"], data["show_score"])
        key = check_name("key", data["key"])
        return dataclasses.replace(room, key=key, plain=bool(data.get("plain", False)))

    def __repr__(self) -> str:
        return f"Classroom(code={self.code!r}, roster={len(self.roster)} students, key=<hidden>)"


def _roster(roster: Sequence[str]) -> tuple[str, ...]:
    if isinstance(roster, str) or not isinstance(roster, Sequence):
        raise TypeError(f"roster must be a list of names; got {type(roster).__name__}")
    names = tuple(check_name(f"roster[{k}]", s) for k, s in enumerate(roster))
    seen: dict[str, int] = {}
    for k, s in enumerate(names):
        if canonical(s) in seen:
            raise ValueError(
                f"roster[{k}]: {s!r} is the same name as roster[{seen[canonical(s)]}] "
                "(names are compared ignoring case, spacing and Unicode form)"
            )
        seen[canonical(s)] = k
    return names
