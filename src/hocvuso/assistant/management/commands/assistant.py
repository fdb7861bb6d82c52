from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from hocvuso.assistant.errors import QuestionInvalid
from hocvuso.assistant.services import answer_question
from hocvuso.assistant.store import index_build, index_forget


class Command(BaseCommand):
    help = (
        'The learning assistant. `ask "question" [--lang vi|en] [--json]` answers '
        "from the imported lessons only (confident false: it does not know); "
        "`rebuild` rebuilds the index from the imported packs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["ask", "rebuild"])
        parser.add_argument("question", nargs="?", default="")
        parser.add_argument("--lang", choices=["vi", "en"], default="")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rebuild":
            stats = index_build()
            index_forget()
            self.stdout.write(
                f"Assistant index {stats.version}: {stats.passages} passages "
                f"from {stats.lessons} lessons."
            )
            return
        with translation.override(options["lang"] or "vi"):
            try:
                answer = answer_question(options["question"], lang=options["lang"])
            except QuestionInvalid as exc:
                raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(answer.as_json(), ensure_ascii=False))
            return
        self.stdout.write(answer.answer)
        for i, c in enumerate(answer.citations, 1):
            self.stdout.write(f"[{i}] {c.title} — {c.url} ({c.score:.2f})")
