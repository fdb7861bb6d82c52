"""What each level of Circular 02/2025 means, in words a learner uses.

The framework file keeps the circular's own wording (formal, and cut short in
the stored version of some levels); pages for learners say the same thing in
plain words, translated like every other text of the site. Keyed by level
code; a framework with other codes falls back to its stored description.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LEVEL_PLAIN_WORDS: dict[str, Promise] = {
    "CB1": _("Basic 1: you do simple tasks with someone showing you how."),
    "CB2": _("Basic 2: you do simple tasks on your own, asking only when needed."),
    "TC1": _("Intermediate 1: you do familiar, everyday tasks on your own."),
    "TC2": _("Intermediate 2: you also solve tasks that are new to you, on your own."),
    "NC1": _("Advanced 1: you do many different tasks and show others how."),
    "NC2": _("Advanced 2: you choose the best way to do things in complex cases."),
    "CS1": _("Specialist 1: you solve complex problems with few solutions."),
    "CS2": _("Specialist 2: you solve complex problems and propose new ideas."),
}
