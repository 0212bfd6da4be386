"""A message read once: folded caller text, every cue hit in it, language and sender hint."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from gateway.classify.knowledge import Knowledge
from gateway.classify.lexicon import Hit
from gateway.classify.text import caller_text, fold, is_city_landline, language_of, split_turns

_CLAUSE_END = re.compile(r"[。!?\n;,、:]|\.(?= |$)")
_CLAUSE_END_OR_SPACE = re.compile(r"[。!?\n;,、: ]|\.(?= |$)")
_SENTENCE_END = re.compile(r"[。!?\n]|\.(?= |$)")  # as a clause end, less the commas and colons
_CJK = re.compile(r"[\u3400-\u9fff]")
_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])")


@dataclass(frozen=True)
class Reading:
    caller: str  # folded words of the caller (see text.caller_words)
    hits: tuple[Hit, ...]
    language: str
    city_landline: bool
    word_spaced: bool  # "sfz 过期 了 去 派出所": spaces separate words, not sentences
    agent: tuple[tuple[int, int], ...] = ()  # spans of the agent's questions kept for their answers
    index: dict[tuple[str, str | None], list[Hit]] = field(default_factory=dict, repr=False)
    clause_ends: tuple[int, ...] = ()  # positions of the characters that end a clause (see clause_of)

    def of(self, concern: str, label: str | None = None) -> list[Hit]:
        """Hits of one cue list (concern), optionally of one label, in text order."""
        return self.index.get((concern, label), [])

    def by_caller(self, hits: list[Hit]) -> list[Hit]:
        """The hits that are the caller's own words (not inside a kept agent question)."""
        if not self.agent:
            return hits
        return [h for h in hits if not any(a <= h.start < b for a, b in self.agent)]

    def caller_asks(self) -> bool:
        """A question mark in the caller's own words."""
        text = self.caller
        for a, b in self.agent:
            text = text[:a] + " " * (b - a) + text[b:]
        return "?" in text

    def one_sentence(self, start: int, end: int) -> bool:
        """No sentence ends between `start` and `end` (commas do not end one)."""
        return not _SENTENCE_END.search(self.caller, start, end)

    def clause_of(self, pos: int) -> tuple[int, int]:
        """Bounds of the clause around `pos`: punctuation ends a clause, and so does a space unless the
        message puts spaces between words."""
        ends = self.clause_ends
        k = bisect_left(ends, pos)
        start = ends[k - 1] + 1 if k else 0
        return start, ends[k] if k < len(ends) else len(self.caller)


def _clause_ends(text: str, word_spaced: bool) -> tuple[int, ...]:
    """Positions of the characters that end a clause. An English full stop ends a sentence when a space
    follows ("…last night. it's open again tonight"); "no.2" and "3.5" do not."""
    pattern = _CLAUSE_END if word_spaced else _CLAUSE_END_OR_SPACE
    return tuple(m.start() for m in pattern.finditer(text))


def read(text: str, sender: str | None, knowledge: Knowledge) -> Reading:
    folded = fold(text, knowledge.text)
    caller, agent = caller_text(split_turns(folded, knowledge.text))
    cjk = len(_CJK.findall(caller))
    word_spaced = cjk == 0 or len(_CJK_SPACE.findall(caller)) * 4 >= cjk
    hits = knowledge.lexicon.scan(caller, join_spaces=word_spaced)
    index: dict[tuple[str, str | None], list[Hit]] = {}
    for h in hits:
        index.setdefault((h.entry.concern, None), []).append(h)
        index.setdefault((h.entry.concern, h.entry.label), []).append(h)
    return Reading(
        caller=caller,
        hits=tuple(hits),
        language=language_of(folded, knowledge.text),
        city_landline=is_city_landline(sender, knowledge.text),
        word_spaced=word_spaced,
        index=index,
        clause_ends=_clause_ends(caller, word_spaced),
        agent=agent,
    )
