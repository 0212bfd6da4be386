"""Settings of the hotline and open intake channels, from `config/channels.toml`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from gateway.config import read_toml


@dataclass(frozen=True)
class VoiceSettings:
    speech_language_zh: str = "cmn-Hans-CN"
    speech_language_en: str = "en-US"
    speech_model: str = "default"
    speech_timeout: str = "auto"
    gather_timeout: int = 6
    english_key: str = "1"
    record_max_length: int = 120
    say_voice_zh: str = "Polly.Zhiyu"
    say_language_zh: str = "cmn-CN"
    say_voice_en: str = "Polly.Joanna"
    say_language_en: str = "en-US"

    def speech_language(self, lang: str) -> str:
        return self.speech_language_en if lang == "en" else self.speech_language_zh

    def say(self, lang: str) -> tuple[str, str]:
        """(voice, language) for <Say> in `lang`."""
        if lang == "en":
            return self.say_voice_en, self.say_language_en
        return self.say_voice_zh, self.say_language_zh


@dataclass(frozen=True)
class Limit:
    """A fixed-window rate limit: `count` events every `seconds`."""

    count: int
    seconds: int


@dataclass(frozen=True)
class TranscriptSettings:
    rate: Limit = Limit(120, 60)
    max_chars: int = 20000


@dataclass(frozen=True)
class Open311Settings:
    rate: Limit = Limit(60, 60)
    default_days: int = 90
    max_results: int = 1000
    exclude_departments: tuple[str, ...] = ("command",)


@dataclass(frozen=True)
class WebSettings:
    submit_per_address: Limit = Limit(5, 3600)
    submit_per_number: Limit = Limit(3, 3600)
    lookup_per_address: Limit = Limit(10, 3600)
    lookup_per_case: Limit = Limit(5, 3600)
    max_text_chars: int = 2000
    max_place_chars: int = 100


@dataclass(frozen=True)
class ChannelSettings:
    voice: VoiceSettings
    transcripts: TranscriptSettings
    open311: Open311Settings
    web: WebSettings


def _positive(section: str, raw: dict, name: str, default: int) -> int:
    value = raw.get(name, default)
    # A typo here would silently disable a rate limit; refuse it at start-up instead.
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"channels.toml [{section}] {name} = {value!r}: a positive whole number is required")
    return value


def load_channel_settings(config_dir: Path | str) -> ChannelSettings:
    path = Path(config_dir) / "channels.toml"
    raw = read_toml(config_dir, "channels.toml") if path.exists() else {}
    v = raw.get("voice", {})
    voice_defaults = VoiceSettings()
    voice = VoiceSettings(
        **{
            name: type(getattr(voice_defaults, name))(v[name])
            for name in voice_defaults.__dataclass_fields__
            if name in v
        }
    )
    t = raw.get("transcripts", {})
    transcripts = TranscriptSettings(
        rate=Limit(
            _positive("transcripts", t, "rate_limit", 120), _positive("transcripts", t, "rate_window_seconds", 60)
        ),
        max_chars=_positive("transcripts", t, "max_chars", 20000),
    )
    o = raw.get("open311", {})
    open311 = Open311Settings(
        rate=Limit(_positive("open311", o, "rate_limit", 60), _positive("open311", o, "rate_window_seconds", 60)),
        default_days=_positive("open311", o, "default_days", 90),
        max_results=_positive("open311", o, "max_results", 1000),
        exclude_departments=tuple(o.get("exclude_departments", ["command"])),
    )
    w = raw.get("web", {})
    submit_window = _positive("web", w, "submit_window_seconds", 3600)
    lookup_window = _positive("web", w, "lookup_window_seconds", 3600)
    web = WebSettings(
        submit_per_address=Limit(_positive("web", w, "submit_per_address", 5), submit_window),
        submit_per_number=Limit(_positive("web", w, "submit_per_number", 3), submit_window),
        lookup_per_address=Limit(_positive("web", w, "lookup_per_address", 10), lookup_window),
        lookup_per_case=Limit(_positive("web", w, "lookup_per_case", 5), lookup_window),
        max_text_chars=_positive("web", w, "max_text_chars", 2000),
        max_place_chars=_positive("web", w, "max_place_chars", 100),
    )
    return ChannelSettings(voice=voice, transcripts=transcripts, open311=open311, web=web)


@lru_cache(maxsize=8)
def channel_settings(config_dir: str) -> ChannelSettings:
    return load_channel_settings(config_dir)
