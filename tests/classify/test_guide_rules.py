"""Each rule of the routing guide, on messages written for these tests."""

from __future__ import annotations


def test_rule1_live_emergency_goes_to_command_whatever_else(classifier):
    d = classifier.classify("赤壁 陆水湖街道 我家楼下的餐馆着火了 火还在烧 消防通道被堵了 快来人")
    assert (d.department, d.emergency, d.jurisdiction) == ("command", True, "chibi")
    assert d.unit == "chibi.command"


def test_rule1_fight_with_weapon_in_progress(classifier):
    d = classifier.classify("通城隽水镇菜市场 两个人拿刀在打架 还在打 快派人")
    assert d.emergency and d.department == "command"


def test_rule1_negated_fire_is_not_emergency(classifier):
    d = classifier.classify("咸安区永安街道 邻居家冒了一下烟 没有着火 现在没事了 就是想问楼道里能不能充电瓶车")
    assert not d.emergency
    assert d.department != "command"


def test_rule1_past_violence_is_not_emergency(classifier):
    d = classifier.classify("上个月在嘉鱼鱼岳镇被人打了 打人的跑了 到现在还没抓到")
    assert not d.emergency


def test_rule1_danger_over_is_not_emergency(classifier):
    d = classifier.classify(
        "来电人：昨晚隔壁两口子打架，砸东西。坐席：现在还在打吗？来电人：现在没有了，我在崇阳天城镇。"
    )
    assert not d.emergency
    assert d.jurisdiction == "chongyang"


def test_rule1_hypothetical_fire_is_not_emergency(classifier):
    d = classifier.classify("我们小区的消防通道天天堆满杂物 万一着火了人都跑不出去 通山通羊镇")
    assert not d.emergency
    assert d.department == "fire"


def test_rule2_officer_conduct_goes_to_city_inspection_keeping_place(classifier):
    d = classifier.classify("赤壁赵李桥镇派出所的民警态度恶劣 我问了一句就冲我吼 还拍桌子")
    assert d.department == "inspection"
    assert d.jurisdiction == "city"
    assert d.unit == "city.inspection"
    assert d.place == "赤壁市 / 赵李桥镇"


def test_rule2_misconduct_inside_a_service_complaint(classifier):
    d = classifier.classify("去通山县车管所换驾照 窗口的辅警要我给好处费才给加急 不给就拖着")
    assert d.department == "inspection"
    assert d.jurisdiction == "city"


def test_rule2_whistle_blowing_is_a_report(classifier):
    d = classifier.classify("举报嘉鱼县官桥镇派出所一个民警 上班时间在值班室打游戏 群众办事没人理")
    assert d.department == "inspection"
    assert d.kind == "report"


def test_rule3_slowness_of_a_service_stays_with_the_service(classifier):
    d = classifier.classify("在崇阳户政大厅办的身份证 说十五天 现在一个多月了还没拿到")
    assert d.department == "household"
    assert d.jurisdiction == "chongyang"


def test_rule3_too_many_documents_is_the_service(classifier):
    d = classifier.classify("通城出入境办港澳通行证 要的材料一次比一次多 跑了三趟还没办好")
    assert d.department == "exit_entry"


def test_rule4_praise_of_a_service_goes_to_that_service(classifier):
    d = classifier.classify("表扬嘉鱼交警 暴雨天在路口指挥交通 浑身都湿透了")
    assert (d.department, d.kind) == ("traffic", "praise")


def test_rule4_praise_naming_no_service_is_general(classifier):
    d = classifier.classify("谢谢咸宁的警察同志 我在街上晕倒了是你们送我去的医院")
    assert (d.department, d.kind) == ("general", "praise")


def test_rule4_suggestion_with_no_service_is_general(classifier):
    d = classifier.classify("建议公安局的公众号多发一些本地新闻 现在内容太少了")
    assert (d.department, d.kind) == ("general", "suggestion")


def test_command_handles_the_110_line_itself(classifier):
    d = classifier.classify("前天打了110说有人偷电动车 等了一个小时都没人来 咸安横沟桥镇的")
    assert d.department == "command"
    assert not d.emergency


def test_place_outside_the_city_is_city_bureau(classifier):
    d = classifier.classify("在武汉出差的时候钱包被偷了 回咸宁了还能报案吗")
    assert d.jurisdiction == "city"
    assert d.place == "武汉"


def test_no_place_is_city_bureau(classifier):
    d = classifier.classify("身份证丢了怎么补办")
    assert (d.department, d.jurisdiction, d.kind) == ("household", "city", "inquiry")
    assert d.place is None


def test_rule1_english_present_grammar_makes_a_fight_live(classifier):
    d = classifier.classify("There's a fight in the car park behind the Wenquan bus station, three men have knives")
    assert d.emergency and d.department == "command" and d.kind == "report"


def test_rule1_english_present_grammar_yields_to_a_habit(classifier):
    d = classifier.classify("There are men fighting dogs for money behind the market in Chibi every Sunday night")
    assert not d.emergency


def test_rule1_nothing_is_on_fire(classifier):
    d = classifier.classify(
        "The fire exit of our dormitory in Tongcheng is chained shut. Nothing is on fire, but it is a risk."
    )
    assert not d.emergency and d.department == "fire"


def test_rule1_property_taken_as_the_caller_speaks(classifier):
    d = classifier.classify("崇阳白霓镇 楼下两个人在剪电动车的锁 还在剪")
    assert d.emergency and d.department == "command"


def test_rule1_someone_elses_wife_makes_a_bystander_report(classifier):
    d = classifier.classify("隔壁男的现在还在打他老婆 一直在喊救命 通山厦铺镇")
    assert d.emergency and d.kind == "report"


def test_rule4_thanks_for_help_in_the_street_go_to_general(classifier):
    d = classifier.classify("谢谢嘉鱼的两位民警 昨晚我迷路了 他们把我送回了宾馆")
    assert (d.department, d.kind, d.emergency) == ("general", "praise", False)


def test_rule4_thanks_naming_the_service_go_to_it(classifier):
    d = classifier.classify("感谢赤壁车管所的窗口民警 驾驶证换证半小时就办好了")
    assert (d.department, d.kind) == ("traffic", "praise")


def test_rule2_a_suggestion_about_the_hall_is_not_misconduct(classifier):
    d = classifier.classify("建议派出所办证大厅装个取号机 现在排队老是有人插队")
    assert d.department != "inspection" and d.kind == "suggestion"


def test_rule2_police_car_for_a_family_meal(classifier):
    d = classifier.classify("举报 昨天中午一辆警车停在崇阳一家农家乐门口 下来一家人吃饭")
    assert (d.department, d.jurisdiction, d.kind) == ("inspection", "city", "report")


def test_pinyin_appointment_is_not_the_town_of_yuyue(classifier):
    d = classifier.classify("qing wen ban hu zhao yao yu yue ma")
    assert d.jurisdiction == "city"


def test_rule1_danger_told_plainly_is_live(classifier):
    d = classifier.classify("贺胜桥镇菜市场后面的河里冲进去一辆三轮车 只看得到车顶了")
    assert d.emergency and d.department == "command"
    # the reasons tell the dispatcher why, and no longer say the opposite
    assert any("told plainly" in r for r in d.reasons)
    assert not any("without urgency" in r for r in d.reasons)


def test_rule1_danger_told_plainly_to_a_service_is_not_live(classifier):
    d = classifier.classify("我们厂宿舍的后门被锁了 说是怕人偷东西 只剩一个楼梯 高桥镇")
    assert not d.emergency and d.department == "fire"


def test_rule1_english_modal_is_not_live(classifier):
    d = classifier.classify("The railing of the footbridge in Tongshan is broken, a child could fall into the river")
    assert not d.emergency


def test_rule1_settled_afterwards_is_over(classifier):
    d = classifier.classify("孩子在学校被同学打得流了好多血 对方家长想私了 我不同意 崇阳")
    assert not d.emergency


def test_rule1_dialect_missing_child_and_dialect_all_clear(classifier):
    missing = classifier.classify("来电人：我屋里伢 八岁 放学 到现在 还冇 回来 路上 都 找了 冇得 潘家湾镇")
    assert missing.emergency and missing.department == "command"
    over = classifier.classify("昨晚 温泉 那个 酒吧 门口 又 有 人 打架 现在 是 冇得 事 了 但 是 他们 天天 这样 吵")
    assert not over.emergency


def test_rule1_story_leading_up_to_the_call_does_not_make_the_danger_past(classifier):
    d = classifier.classify(
        "Caller: I was walking the dog past the lake and there's a car with a hose from the exhaust "
        "into the window. A man inside is slumped over, not moving."
    )
    assert d.emergency and d.department == "command"
    told = classifier.classify(
        "There was a man slumped over in a car outside our block yesterday; he was fine in the end."
    )
    assert not told.emergency


def test_rule1_what_ended_an_earlier_matter_does_not_end_danger_told_now(classifier):
    d = classifier.classify(
        "上午本来在跟派出所约时间给孩子改名字。现在我老公喝了酒，拿着菜刀在客厅说要砍死我，一直在踹门。"
        "之前去派出所调解过好几次。嘉鱼鱼岳镇"
    )
    assert d.emergency and d.department == "command"
    over = classifier.classify("半个钟头以前 路口镇街上两伙人拿着棍子在打架 后面有人喊警察来了 就都跑了")
    assert not over.emergency


def test_rule1_english_contraction_is_not_a_past_tense(classifier):
    d = classifier.classify(
        "My flatmate won't wake up and we're dizzy, the gas water heater has been on for hours. Wenquan, 4th floor."
    )
    assert d.emergency and d.department == "command"


def test_rule1_agent_question_about_danger_denied_by_the_caller(classifier):
    denied = classifier.classify(
        "坐席：您好，12389。来电人：我家昨天晚上楼下的柴火烧起来了。坐席：现在火还在烧吗？"
        "来电人：没有没有，火早就灭了。我想问火灾证明到哪里开。"
    )
    assert not denied.emergency
    confirmed = classifier.classify(
        "坐席：您好，12389。来电人：我家楼下的柴火烧起来了。坐席：现在火还在烧吗？来电人：还在烧，越烧越大。"
    )
    assert confirmed.emergency and confirmed.department == "command"
