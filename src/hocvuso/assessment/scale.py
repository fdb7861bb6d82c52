"""The ability scale: provisional item parameters and level cut scores.

Until items are calibrated from real responses, their IRT parameters come from
the level the author assigned (a documented rule, flagged ``provisional``):

- difficulty ``b = -2.5 + (level_number - 1)``: CB1 -2.5, CB2 -1.5, TC1 -0.5,
  TC2 0.5, NC1 1.5, NC2 2.5, CS1 3.5, CS2 4.5 (logistic metric, D = 1);
- discrimination ``a = 1.2``; guessing ``c = 0`` (a 2PL bank).

A person reaches level L when ``theta >= b_L``: the ability at which a typical
level-L item is answered correctly half of the time. The pass mark of a target
group is the cut of its required level. Calibration (``hocvuso irt calibrate``
then ``hocvuso assessment import-params``) replaces the provisional values and
keeps the scale through anchor items.
"""

from __future__ import annotations

from collections.abc import Mapping

PROVISIONAL_A = 1.2
PROVISIONAL_C = 0.0


def level_b(number: int) -> float:
    """Return the provisional difficulty of an item of level ``number`` (1..8)."""
    return -2.5 + (number - 1)


def level_cut(number: int) -> float:
    """Return the ability at which level ``number`` is reached."""
    return level_b(number)


def level_for_theta(theta: float, levels: Mapping[int, str]) -> str | None:
    """Return the code of the highest level reached at ``theta`` (or None)."""
    reached = [code for n, code in sorted(levels.items()) if theta >= level_cut(n)]
    return reached[-1] if reached else None
