"""The five input/output patterns, and what differs between them.

Every pattern is the same unrolled network; what changes is how many steps
it reads, whether it gets one output per sequence or one per step, and
whether the number of outputs has to be told (``T_out``)::

    pattern           x              steps unrolled           outputs with loss     y (mse)
    one-to-one        (1, N, D)      1                        the one step          (N, O)
    one-to-many       (1, N, D)      T_out: x, then 0s        every step            (T_out, N, O)
    many-to-one       (T, N, D)      T                        the last step         (N, O)
    many-to-many      (T, N, D)      T                        every step            (T, N, O)
    encoder-decoder   (T_in, N, D)   T_in + T_out: then 0s    the last T_out        (T_out, N, O)

(cross-entropy targets are class ids: the same without the ``O`` axis.)

Everything else asks this module rather than spelling out names::

    from rnnlab.patterns import get_pattern
    p = get_pattern("seq2seq")         # aliases and any case: encoder-decoder
    p.per_sequence                     # False: one output per step
    p.needs_output_length              # True: T_out comes from y or output_length
    x_full, loss_steps = p.unrolled_inputs(x, output_length=3)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Pattern", "PATTERNS", "get_pattern", "select"]


@dataclass(frozen=True)
class Pattern:
    """One input/output pattern; see the module docstring's table.

    Attributes
    ----------
    name : ``"one-to-one"``, ``"one-to-many"``, ``"many-to-one"``,
        ``"many-to-many"`` or ``"encoder-decoder"``
    one_input_step : x has one step, ``(1, N, D)``
    per_sequence : one output per sequence: targets ``(N, O)``, not
        ``(T_out, N, O)``
    needs_output_length : the number of outputs differs from the number of
        input steps, so it comes from the targets or an ``output_length``
    """

    name: str
    one_input_step: bool
    per_sequence: bool
    needs_output_length: bool

    @property
    def steps_in_name(self):
        """What the lessons call the input length: ``"1"``, ``"T"`` or ``"T_in"``."""
        return "1" if self.one_input_step else ("T_in" if self.needs_output_length else "T")

    @property
    def steps_out_name(self):
        """What the lessons call the output length: ``"1"``, ``"T"`` or ``"T_out"``."""
        if self.per_sequence:
            return "1"
        return "T_out" if self.needs_output_length else "T"

    def steps_out(self, steps_in, output_length=None):
        """Number of outputs with loss, for ``steps_in`` input steps."""
        if self.per_sequence:
            return 1
        return output_length if self.needs_output_length else steps_in

    def unrolled_inputs(self, x, output_length=None):
        """The input of every unrolled step and the steps whose outputs carry loss.

        ``x (T_in, N, D)``; ``output_length`` (``T_out``) is used by the
        patterns that need it. Returns ``(x_full (T_total, N, D), loss_steps)``
        with ``loss_steps`` an array of step indices (0-based).
        """
        steps_in, n, d = x.shape
        if self.name == "one-to-many":  # x at step 0, then zero inputs
            x_full = np.zeros((output_length, n, d), x.dtype)
            x_full[0] = x[0]
            return x_full, np.arange(output_length)
        if self.name == "encoder-decoder":  # read all of x, then answer on zero inputs
            x_full = np.concatenate([x, np.zeros((output_length, n, d), x.dtype)])
            return x_full, np.arange(steps_in, steps_in + output_length)
        if self.per_sequence:
            return x, np.array([steps_in - 1])
        return x, np.arange(steps_in)


_TABLE = (  # name, one_input_step, per_sequence, needs_output_length
    Pattern("one-to-one", True, True, False),
    Pattern("one-to-many", True, False, True),
    Pattern("many-to-one", False, True, False),
    Pattern("many-to-many", False, False, False),
    Pattern("encoder-decoder", False, False, True),
)
_BY_NAME = {p.name: p for p in _TABLE}

#: the five pattern names, in the order the lessons introduce them
PATTERNS = tuple(_BY_NAME)

# other names learners meet in texts
_ALIASES = {"many-to-many-aligned": "many-to-many", "seq2seq": "encoder-decoder",
            "many-to-many-unaligned": "encoder-decoder", "sequence-to-sequence": "encoder-decoder"}


def get_pattern(name, argument="pattern"):
    """The :class:`Pattern` called ``name`` (any case, ``_`` for ``-``, or an alias).

    Raises ``TypeError``/``ValueError`` naming ``argument`` and the valid names.
    """
    if isinstance(name, Pattern):
        return name
    if not isinstance(name, str):  # messages as _validate.check_choice words them
        raise TypeError(f"{argument} must be a string, one of {sorted(PATTERNS)}; "
                        f"got {type(name).__name__} {name!r}")
    key = name.lower().replace("_", "-")
    key = _ALIASES.get(key, key)
    if key not in _BY_NAME:
        raise ValueError(f"unknown {argument} {name!r}; valid: {', '.join(sorted(PATTERNS))}")
    return _BY_NAME[key]


def select(**properties):
    """Names of the patterns with the given properties, e.g. ``select(per_sequence=True)``.

    ``select(one_input_step=False, needs_output_length=False)`` gives the
    patterns that read one sequence and answer along it: many-to-one and
    many-to-many.
    """
    unknown = set(properties) - {"one_input_step", "per_sequence", "needs_output_length"}
    if unknown:
        raise TypeError(f"select() got unknown properties {sorted(unknown)}")
    return tuple(p.name for p in _TABLE
                 if all(getattr(p, k) == v for k, v in properties.items()))
