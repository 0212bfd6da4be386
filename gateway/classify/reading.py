"""A message read once: folded caller text, every cue hit in it, language and sender hint."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.classify.knowledge import Knowledge
from gateway.classify.lexicon import Hit
from gateway.classify.text import caller_words, fold, is_city_landline, language_of, split_turns

_CLAUSE_PUNCT = frozenset("。!?\n;,、:")


@dataclass(frozen=True)
class Reading:
    caller: str  # folded words of the caller (see text.caller_words)
    hits: tuple[Hit, ...]
    language: str
    city_landline: bool
    word_spaced: bool  # "sfz 过期 了 去 派出所": spaces separate words, not sentences

    def of(self, concern: str, label: str | None = None) -> list[Hit]:
        return [
            h for h in self.hits if h.entry.concern == concern and (label is None or h.entry.label == label)
        ]

    def clause_of(self, pos: int) -> tuple[int, int]:
        """Bounds of the clause around `pos`: punctuation ends a clause, and so does a space unless the
        message puts spaces between words."""
        text = self.caller
        ends = _CLAUSE_PUNCT if self.word_spaced else _CLAUSE_PUNCT | {" "}
        start = pos
        while start > 0 and text[start - 1] not in ends:
            start -= 1
        end = pos
        while end < len(text) and text[end] not in ends:
            end += 1
        return start, end


def read(text: str, sender: str | None, knowledge: Knowledge) -> Reading:
    folded = fold(text, knowledge.text)
    caller = caller_words(split_turns(folded, knowledge.text))
    cjk_spaces = sum(
        1
        for i in range(1, len(caller) - 1)
        if caller[i] == " " and _cjk(caller[i - 1]) and _cjk(caller[i + 1])
    )
    cjk = sum(1 for c in caller if _cjk(c))
    return Reading(
        caller=caller,
        hits=tuple(knowledge.lexicon.scan(caller)),
        language=language_of(folded, knowledge.text),
        city_landline=is_city_landline(sender, knowledge.text),
        word_spaced=cjk > 0 and cjk_spaces * 4 >= cjk,
    )


def _cjk(c: str) -> bool:
    return "\u3400" <= c <= "\u9fff"
