"""The gazetteer: towns without county, pinyin, Traditional script, misspellings, longest names."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "jurisdiction"),
    [
        ("横沟桥镇有人在路边赌博", "xianan"),
        ("簰洲湾镇的红绿灯坏了", "jiayu"),
        ("赵李桥镇派出所户籍窗口几点上班", "chibi"),
        ("麦市镇有人卖烟花爆竹", "tongcheng"),
        ("白霓镇我家隔壁天天打麻将到半夜", "chongyang"),
        ("慈口乡有人私自卖散装汽油", "tongshan"),
        ("崇阳桂花泉镇的路口没有红绿灯", "chongyang"),  # not 桂花镇 of Xian'an
        ("咸安桂花镇的路口没有红绿灯", "xianan"),
        ("在浪口温泉那边被偷了手机", "chongyang"),  # not 温泉 of Xian'an
        ("在温泉被偷了手机", "xianan"),
        ("My bike was stolen near Jiugongshan", "tongshan"),
        ("Is there a police station in Jiayu county?", "jiayu"),
        ("stolen wallet in wen quan", "xianan"),
        ("我在赤避镇被骗了", "chibi"),
        ("咸寧溫泉的停車場車被撬了", "xianan"),
        ("陆水湖边有人钓鱼吵架", "chibi"),
        ("隐水洞景区停车乱收费", "tongshan"),
        ("咸宁高新区宿舍楼下很吵", "city"),
        ("我在北京丢了身份证", "city"),
        ("Can I renew my visa in Xianning?", "city"),
    ],
)
def test_jurisdiction(classifier, text, jurisdiction):
    assert classifier.classify(text).jurisdiction == jurisdiction


def test_place_detail_names_county_and_town(classifier):
    assert classifier.classify("九宫山镇的民宿没有灭火器").place == "通山县 / 九宫山镇"
    assert classifier.classify("通城县的户政大厅几点开门").place == "通城县"


def test_county_beats_outside_place(classifier):
    d = classifier.classify("户口从湖南迁到我们贺胜桥镇要什么材料")
    assert d.jurisdiction == "xianan"
