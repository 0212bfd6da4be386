"""The trained model: round trip through bytes, versions, and the rules' guarantees kept."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from gateway.classify import load_classifier
from gateway.classify.model import Head, TrainedModel
from gateway.classify.training import train


@pytest.fixture(scope="module")
def model(dev_examples):
    return train(dev_examples, now=datetime(2025, 3, 1, 8, 30, tzinfo=UTC))


def test_version_format(model):
    assert model.version.startswith("m-20250301083000-")
    assert len(model.version.rsplit("-", 1)[1]) == 8


def test_dumps_loads_round_trip(model):
    data = model.dumps()
    back = TrainedModel.loads(data)
    assert back.version == model.version
    assert back.vocabulary == model.vocabulary
    texts = ["赤壁交警态度恶劣", "身份证丢了怎么补", "My passport was stolen in Chibi", "建议多装红绿灯"]
    a, b = load_classifier(model=model), load_classifier(model=back)
    for text in texts:
        da, db = a.classify(text), b.classify(text)
        assert (da.department, da.kind, da.emergency) == (db.department, db.kind, db.emergency)
        assert da.confidence == pytest.approx(db.confidence, abs=1e-3)
        assert db.model_version == model.version


def test_loads_rejects_other_bytes():
    with pytest.raises(ValueError):
        TrainedModel.loads(b"not a model")


def test_model_keeps_rule_guarantees(model):
    clf = load_classifier(model=model)
    d = clf.classify("救命 通城北港镇有人拿刀砍人 快来")
    assert d.emergency and d.department == "command"
    d = clf.classify("赤壁陆水湖街道派出所的民警骂人 态度恶劣")
    if d.department == "inspection":
        assert d.unit == "city.inspection" and d.place == "赤壁市 / 陆水湖街道"
    d = clf.classify("九宫山镇的民宿没有灭火器")
    assert d.jurisdiction == "tongshan"


def test_too_few_examples():
    with pytest.raises(ValueError):
        train([{"text": "x", "department": "general", "kind": "complaint", "emergency": False}])


class _Sure:
    """A stand-in model that gives every message the same probability of a live emergency."""

    version = "m-stub"

    def __init__(self, emergency_p: float) -> None:
        self.emergency_p = emergency_p

    def predict(self, caller, rules, knowledge, language):
        return {"general": 1.0}, {"complaint": 1.0}, self.emergency_p, []


def test_model_never_clears_a_rule_emergency():
    clf = load_classifier(model=_Sure(0.0))
    for text in ("救命 通城北港镇有人拿刀砍人 快来", "现在楼下有人打架", "一群人正在肖岭乡政府门口打群架 有人拿了锄头"):
        assert load_classifier().classify(text).emergency
        d = clf.classify(text)
        assert d.emergency and d.department == "command", d.reasons


def test_model_adds_no_emergency_whose_cause_has_driven_off():
    clf = load_classifier(model=_Sure(1.0))
    gone = clf.classify("刚才酒席上有个男的喝了一斤白酒，刚刚自己开车走了，黑色大众，往城区方向")
    assert not gone.emergency
    # what the model adds elsewhere, and what the rules find themselves even after a car drove off
    assert clf.classify("隔壁屋里一直有奇怪的声音 好像有人倒在地上").emergency
    taken = clf.classify("一个男的正把一个女孩往白色面包车里拽 女孩一直在哭喊救命 往南林桥方向开走了 快")
    assert taken.emergency and taken.department == "command"


def test_model_trained_without_new_rule_features_still_predicts(model):
    # a model stored before the rule vector grew (by its last two columns) reads only its own columns
    width = model.department.coef.shape[1] - 2
    older = dataclasses.replace(
        model,
        department=Head(model.department.classes, model.department.coef[:, :width], model.department.intercept),
        kind=Head(model.kind.classes, model.kind.coef[:, :width], model.kind.intercept),
        emergency=Head(model.emergency.classes, model.emergency.coef[:, :width], model.emergency.intercept),
    )
    d = load_classifier(model=older).classify("身份证丢了怎么补办 咸安")
    assert d.department == "household" and d.jurisdiction == "xianan"
