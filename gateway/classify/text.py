"""Reading a message: script folding, hotline speaker turns, the sender's number, the language.

Everything downstream matches cues against the *folded* caller text, so all spelling variation that
does not change meaning (Traditional script, full-width forms, case, curly quotes) is removed here once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z]+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "「": '"', "」": '"', "\u3000": " "})


@dataclass(frozen=True)
class TextSettings:
    script: dict[int, str]  # str.translate table: Traditional -> Simplified, dialect -> Mandarin
    caller_labels: tuple[str, ...]
    agent_labels: tuple[str, ...]
    city_area_codes: tuple[str, ...]
    country_code: str
    latin_ratio: float
    english_markers: frozenset[str]
    turn_pattern: re.Pattern[str]
    agent_voice: re.Pattern[str] | None = None  # how an agent speaks ("您", "请问", "let me")
    caller_voice: re.Pattern[str] | None = None  # how a caller speaks of themselves ("我", "my")

    @classmethod
    def from_config(cls, raw: dict) -> TextSettings:
        table: dict[int, str] = {}
        for section in ("script", "dialect"):
            for pair in raw.get(section, {}).get("pairs", "").split():
                if len(pair) != 2:
                    raise ValueError(f"text.toml [{section}] pairs: {pair!r} is not two characters")
                if pair[0] != pair[1]:
                    table[ord(pair[0])] = pair[1]
        turns = raw.get("turns", {})
        caller = tuple(s.lower() for s in turns.get("caller", ["来电人", "caller"]))
        agent = tuple(s.lower() for s in turns.get("agent", ["坐席", "agent"]))
        labels = sorted(caller + agent, key=len, reverse=True)
        # A label starts a turn at the beginning of the text or after a sentence end/space.
        pattern = re.compile(r"(?:^|(?<=[\s。.!?,…\"']))(" + "|".join(map(re.escape, labels)) + r")\s*:\s*")
        sender = raw.get("sender", {})
        lang = raw.get("language", {})
        voices = raw.get("voices", {})
        return cls(
            script=table,
            caller_labels=caller,
            agent_labels=agent,
            city_area_codes=tuple(str(c) for c in sender.get("city_area_codes", ["0715"])),
            country_code=str(sender.get("country_code", "86")),
            latin_ratio=float(lang.get("latin_ratio", 0.5)),
            english_markers=frozenset(lang.get("english_markers", [])),
            turn_pattern=pattern,
            agent_voice=_words_pattern(voices.get("agent", [])),
            caller_voice=_words_pattern(voices.get("caller", [])),
        )


def _words_pattern(words: list[str]) -> re.Pattern[str] | None:
    """Any of `words`: Latin ones as whole words, Chinese ones anywhere."""
    parts = [rf"\b{re.escape(w.lower())}\b" if w.isascii() else re.escape(w) for w in words]
    return re.compile("|".join(parts)) if parts else None


def fold(text: str, settings: TextSettings) -> str:
    """Full-width to half-width (NFKC), Traditional to Simplified, lower case, one space at most."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).translate(settings.script).lower()
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Turn:
    speaker: str  # "caller" | "agent"
    text: str


def split_turns(folded: str, settings: TextSettings) -> list[Turn]:
    """Speaker turns of a hotline transcript; a text without labels is one caller turn."""
    marks = list(settings.turn_pattern.finditer(folded))
    if not marks:
        return [Turn("caller", folded)]
    turns: list[Turn] = []
    head = folded[: marks[0].start()].strip()
    if head:
        turns.append(Turn("caller", head))
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(folded)
        speaker = "agent" if m.group(1) in settings.agent_labels else "caller"
        body = folded[m.end() : end].strip()
        if body:
            turns.append(Turn(speaker, body))
    return _mend_labels(turns, settings)


_MIN_CALLER_TURN = 15  # characters: an agent's short line ("好的") says too little to tell the speaker
# An agent's greeting ("您好，12389，请讲") that speech recognition ran into the caller's words.
_GREETING = re.compile(r"^(?:(?:您好|你好|喂|请讲|12389|hello|hi)[\s,.!。，、]*)+")


def _mend_labels(turns: list[Turn], settings: TextSettings) -> list[Turn]:
    """Speech recognition sometimes puts the caller's words under the agent's label, or swaps the labels
    for a whole call. An "agent" turn that, after any greeting, speaks of the speaker ("我婆婆不见了") and
    not as an agent does ("您", "请问", "我们马上") is the caller's; if a "caller" turn then speaks as the
    agent, and not of the speaker, the labels were swapped throughout."""
    agent, caller = settings.agent_voice, settings.caller_voice
    if agent is None or caller is None or not any(t.speaker == "agent" for t in turns):
        return turns

    def callers_words(text: str) -> bool:
        text = _GREETING.sub("", text)
        return len(text) >= _MIN_CALLER_TURN and bool(caller.search(text)) and not agent.search(text)

    mislabelled = [t.speaker == "agent" and callers_words(t.text) for t in turns]
    if not any(mislabelled):
        return turns
    # "Can you send someone? My son…" is a caller asking: only a turn that speaks as the agent and not of
    # the speaker shows the labels swapped
    if any(t.speaker == "caller" and agent.search(t.text) and not caller.search(t.text) for t in turns):
        return [Turn("agent" if t.speaker == "caller" else "caller", t.text) for t in turns]
    return [Turn("caller", t.text) if wrong else t for t, wrong in zip(turns, mislabelled, strict=True)]


def caller_words(turns: list[Turn]) -> str:
    """What the caller said, one turn a line.

    An agent's question answered by the caller's next turn ("您是在哪个镇？" / "赵李桥") stays, since the
    answer only makes sense with it; greetings and other agent lines ("您好，12389") are dropped.
    """
    return caller_text(turns)[0]


def caller_text(turns: list[Turn]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """`caller_words` and the (start, end) spans in it of the agent's questions that were kept: their
    question marks and "请问" are the agent's, not a question of the caller's."""
    kept: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for k, turn in enumerate(turns):
        answered = k + 1 < len(turns) and turns[k + 1].speaker == "caller" and _is_question(turn.text)
        if turn.speaker == "caller" or answered:
            if turn.speaker == "agent":
                spans.append((pos, pos + len(turn.text)))
            kept.append(turn.text)
            pos += len(turn.text) + 1
    return "\n".join(kept), tuple(spans)


def _is_question(text: str) -> bool:
    return "?" in text or text.rstrip("。. ").endswith(("吗", "呢"))


def language_of(folded: str, settings: TextSettings) -> str:
    cjk = len(_CJK.findall(folded))
    words = _LATIN_WORD.findall(folded)
    letters = sum(len(w) for w in words)
    if letters == 0 or cjk >= letters * settings.latin_ratio * 2:
        return "zh"
    english = sum(1 for w in words if w in settings.english_markers)
    # pinyin has no English function words; a Chinese reader wrote it
    if english >= max(1, len(words) // 10) and cjk * 2 < letters:
        return "en"
    return "zh"


def is_city_landline(sender: str | None, settings: TextSettings) -> bool:
    """True for a fixed line of the city's area code, in national or international format.

    Mobile numbers that merely contain the digits (+8613807151234) are not landlines: in national form a
    landline starts with the area code itself, in E.164 with the country code and the area code less its 0.
    """
    if not sender:
        return False
    digits = re.sub(r"[^\d+]", "", sender)
    for code in settings.city_area_codes:
        if digits.startswith(code) and len(digits) >= len(code) + 7:
            return True
        intl = "+" + settings.country_code + code.lstrip("0")
        if digits.startswith(intl) or digits.startswith("00" + intl[1:]):
            return True
    return False
