from __future__ import annotations

from typing import Any

from django import forms


class SelfCheckForm(forms.Form):
    """One radio group per self-check question of a lesson."""

    def __init__(self, questions: list[dict[str, Any]], *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for i, q in enumerate(questions):
            self.fields[f"q{i}"] = forms.TypedChoiceField(
                label=q["question"],
                choices=[(str(j), opt) for j, opt in enumerate(q["options"])],
                coerce=int,
                widget=forms.RadioSelect,
                required=True,
            )

    def results(self) -> list[dict[str, Any]]:
        out = []
        for i, q in enumerate(self.questions):
            chosen = self.cleaned_data.get(f"q{i}")
            out.append(
                {
                    "question": q["question"],
                    "chosen": q["options"][chosen] if chosen is not None else "",
                    "answer": q["options"][q["answer"]],
                    "correct": chosen == q["answer"],
                    "explanation": q.get("explanation", ""),
                }
            )
        return out
