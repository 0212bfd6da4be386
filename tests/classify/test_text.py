"""Reading messages: script folding, speaker turns, the landline hint, language."""

from __future__ import annotations

from gateway.classify.knowledge import load_knowledge
from gateway.classify.lexicon import Entry, Lexicon
from gateway.classify.text import caller_words, fold, is_city_landline, language_of, split_turns
from gateway.config import DEFAULT_CONFIG_DIR

SETTINGS = load_knowledge(DEFAULT_CONFIG_DIR).text


def test_fold_traditional_fullwidth_and_case():
    assert fold("咸寧　ＡＢＣ 台灣 身份證", SETTINGS) == "咸宁 abc 台湾 身份证"


def test_dialect_characters_read_as_mandarin():
    assert fold("伢还冇回来 冇得事", SETTINGS) == "伢还没回来 没得事"


def test_cues_are_folded_as_the_text_is_and_count_once():
    lex = Lexicon(fold=SETTINGS.script)
    for term in ("身份證", "身份证", "hukou", "hu kou"):  # Traditional and Simplified; one squashed spelling
        lex.add(term, Entry("department", "household", 3.0, term))
    assert lex.size == 2
    assert [h.entry.term for h in lex.scan("补办身份证 hukou")] == ["身份證", "hukou"]


def test_latin_text_parts_words_only_where_the_cue_does():
    lex = Lexicon()
    for term in ("beat*", "ma", "jiu gong shan", "can't"):
        lex.add(term, Entry("test", "x", 1.0, term))

    def found(text: str) -> list[str]:
        return [h.entry.term for h in lex.scan(text)]

    # the cue's own separators are optional in the text, either way round
    assert found("jiugongshan, jiu-gong shan, jiu gong shan") == ["jiu gong shan"] * 3
    assert found("i can't, i cant") == ["can't", "can't"]
    # but a space between two words is not skipped to make a cue that has none
    assert found("he'll be at the restaurant") == []
    assert found("i'm a teacher") == []
    assert found("beaten, 身份 证 ma") == ["beat*", "ma"]


def test_turns_with_ascii_and_fullwidth_colons():
    text = "坐席:您好，12389。来电人：我在赤壁。Agent: ok. Caller: thanks"
    turns = split_turns(fold(text, SETTINGS), SETTINGS)
    assert [t.speaker for t in turns] == ["agent", "caller", "agent", "caller"]


def test_agent_greeting_is_dropped_but_answered_question_kept():
    text = "坐席：您好，12389，请讲。来电人：我要反映个事。坐席：您是在哪个镇？来电人：赵李桥。"
    words = caller_words(split_turns(fold(text, SETTINGS), SETTINGS))
    assert "12389" not in words
    assert "您是在哪个镇?" in words and "赵李桥" in words


def test_labels_swapped_by_speech_recognition_are_mended():
    swapped = "坐席：喂 我在那个桂花泉镇 我婆婆 我婆婆不见了 来电人：您好请慢慢说 坐席：她有老年痴呆 一转身就没了"
    turns = split_turns(fold(swapped, SETTINGS), SETTINGS)
    assert [t.speaker for t in turns] == ["caller", "agent", "caller"]
    run_in = "坐席：您好请讲那个 啊 嗯 我就是想说一下 我在天城镇菜市场后面 有人拿着钢管在打人 坐席：好的您注意安全"
    turns = split_turns(fold(run_in, SETTINGS), SETTINGS)
    assert [t.speaker for t in turns] == ["caller", "agent"]


def test_agent_lines_that_speak_as_the_agent_stay_the_agents():
    text = "来电人：我半夜打110 等了一个多小时才来人 坐席：好的，我们记录下来反馈给110指挥中心。"
    assert [t.speaker for t in split_turns(fold(text, SETTINGS), SETTINGS)] == ["caller", "agent"]
    text = "来电人：有人在外面用房卡开我的门 坐席：您先把门反锁挂上链条，告诉我地址。来电人：官桥镇"
    assert [t.speaker for t in split_turns(fold(text, SETTINGS), SETTINGS)] == ["caller", "agent", "caller"]


def test_english_caller_asking_the_agent_keeps_the_labels():
    # "you" is an agent's word, but a caller asks with it; "I'm" and "our" are an agent's words too
    text = "Caller: Can you send someone? My neighbour is shouting at his wife. Agent: I'm logging it now and our patrol car is coming over."
    assert [t.speaker for t in split_turns(fold(text, SETTINGS), SETTINGS)] == ["caller", "agent"]


def test_text_without_labels_is_the_callers():
    words = caller_words(split_turns(fold("我家门口天天有人乱停车", SETTINGS), SETTINGS))
    assert words == "我家门口天天有人乱停车"


def test_agent_words_do_not_drive_the_decision(classifier):
    d = classifier.classify("坐席：您好，12389，请讲。来电人：我想问一下护照怎么办，要带什么？", channel="hotline")
    assert d.department == "exit_entry"


def test_agent_question_answered_by_caller_gives_the_place(classifier):
    d = classifier.classify("来电人：我的电动车被偷了。坐席：您是在通山哪个镇？来电人：就是县城。", channel="hotline")
    assert d.jurisdiction == "tongshan"


def test_landline_formats():
    assert is_city_landline("0715-8253825", SETTINGS)
    assert is_city_landline("07158253825", SETTINGS)
    assert is_city_landline("+867158253825", SETTINGS)
    assert not is_city_landline("+8613807151234", SETTINGS)  # a mobile that contains 0715
    assert not is_city_landline("13807151234", SETTINGS)
    assert not is_city_landline("027-88886666", SETTINGS)
    assert not is_city_landline(None, SETTINGS)


def test_landline_says_city_never_county(classifier):
    d = classifier.classify("我的驾驶证快到期了 在哪里换", sender="0715-8253825")
    assert d.jurisdiction == "city"
    assert any("landline" in r for r in d.reasons)


def test_language():
    assert language_of(fold("My passport was stolen in Chibi", SETTINGS), SETTINGS) == "en"
    assert language_of(fold("wo de huzhao xia ge yue guoqi", SETTINGS), SETTINGS) == "zh"
    assert language_of(fold("身份证丢了 help", SETTINGS), SETTINGS) == "zh"
