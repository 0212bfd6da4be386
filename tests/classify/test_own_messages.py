"""Messages written for these tests in styles the labelled set has little of (not taken from it).

Each row: text, sender, expected department, jurisdiction, emergency, kind (None = not checked).
"""

from __future__ import annotations

import pytest

CASES = [
    # negations and "no danger now"
    ("厨房冒烟了但是没有着火 已经关了煤气 想问一下燃气灶要不要检查", None, None, "city", False, None),
    ("刚才楼下有人吵架 没有打起来 现在都走了 就是太吵", None, "public_order", "city", False, None),
    (
        "No danger now, the man has left, but someone broke into my car in Chibi last night",
        None,
        "criminal",
        "chibi",
        False,
        None,
    ),
    # past events
    ("上个月被打了 在咸安官埠桥镇 打人的到现在还没处理", None, None, "xianan", False, "complaint"),
    ("去年家里着过火 现在楼道里还是堆满了杂物 通城石南镇", None, "fire", "tongcheng", False, None),
    ("Last week someone stole my phone at the bus station in Tongcheng", None, "criminal", "tongcheng", False, None),
    # live emergencies in new wordings
    ("救命 有人在撬我家的门 我一个人在家 嘉鱼渡普镇", None, "command", "jiayu", True, "complaint"),
    ("快来人 崇阳沙坪镇河边有个小孩掉进水里了", None, "command", "chongyang", True, "report"),
    (
        "Help! A man with a knife is chasing people in the square in Wenquan right now",
        None,
        "command",
        "xianan",
        True,
        "report",
    ),
    (
        "来电人：喂，我女儿不见了，刚才还在通羊镇的超市门口，五岁，快帮我找找！",
        None,
        "command",
        "tongshan",
        True,
        "complaint",
    ),
    # misconduct inside a service complaint
    ("在赤壁办户口迁移 窗口的工作人员态度很差 还骂我听不懂人话", None, "inspection", "city", False, "complaint"),
    ("交警处理事故的时候要我给红包 不给就说我全责 地点在通山南林桥镇", None, "inspection", "city", False, None),
    (
        "The officer at the exit-entry office in Xian'an shouted at me and threw my passport on the floor",
        None,
        "inspection",
        "city",
        False,
        "complaint",
    ),
    # service complaints that are NOT misconduct
    ("居住证办了两个月还没下来 问了就说等通知 咸安浮山街道", None, "household", "xianan", False, "complaint"),
    ("驾驶证换证要体检还要照片还要复印件 能不能简化一下 嘉鱼县", None, "traffic", "jiayu", False, None),
    # towns without county
    ("铜钟乡有人在山里开赌场", None, "public_order", "chongyang", False, "report"),
    ("余家桥乡的派出所电话打不通", None, None, "chibi", False, None),
    ("大畈镇 办护照要去县里吗", None, "exit_entry", "tongshan", False, "inquiry"),
    ("马港镇的网吧安全出口锁着", None, "fire", "tongcheng", False, None),
    # places outside the city
    ("在武汉被骗了两万 人现在回咸宁了 这个能在这边立案吗", None, "criminal", "city", False, None),
    ("I lost my passport in Beijing, can I get a new one in Xianning?", None, "exit_entry", "city", False, "inquiry"),
    # English and pinyin
    (
        "There is a gambling den behind the market in Tongshan, every night lots of people",
        None,
        "public_order",
        "tongshan",
        False,
        "report",
    ),
    (
        "Thank you to the traffic police in Jiayu who helped push my car off the road",
        None,
        "traffic",
        "jiayu",
        False,
        "praise",
    ),
    ("wo de shen fen zheng diu le, zai chibi zenme bu ban?", None, "household", "chibi", False, "inquiry"),
    (
        "Suggestion: please put English signs in the Chibi exit-entry hall",
        None,
        "exit_entry",
        "chibi",
        False,
        "suggestion",
    ),
    # Traditional script, extra spaces, misspellings
    ("通山 的 消防 栓 被 車 撞 壞了 一直 沒人 修", None, "fire", "tongshan", False, "complaint"),
    ("請問在嘉魚縣辦理港澳通行證要多久", None, "exit_entry", "jiayu", False, "inquiry"),
    ("我在赤避被人骗了三千块 说是刷单返利", None, "criminal", "chibi", False, "complaint"),
    # the landline hint and the 110 line
    ("你们110打了三次都没人接 什么服务", "0715-8123456", "command", "city", False, "complaint"),
    ("建议在九宫山景区多设几个报警点", "+867158123456", None, "tongshan", False, "suggestion"),
]


@pytest.mark.parametrize(("text", "sender", "department", "jurisdiction", "emergency", "kind"), CASES)
def test_own_message(classifier, text, sender, department, jurisdiction, emergency, kind):
    d = classifier.classify(text, sender=sender)
    got = (d.department, d.jurisdiction, d.emergency, d.kind)
    want = (department or d.department, jurisdiction, emergency, kind or d.kind)
    assert got == want, d.reasons
