"""Command bodies for the CLI: they take already-built dependencies, so the click layer in
gateway/cli.py only resolves the classifier (rules, or a model from `classifier_models`) and files.

    classify_file(path, classifier, out)   one JSON object a line per message
    evaluate_file(path, classifier, out)   accuracy per field, macro-F1, confusion, emergency recall
    read_examples(path)                    the JSON Lines messages, validated
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

import click

from gateway.classify.classifier import Classifier
from gateway.classify.evaluation import format_report, metrics

LABEL_FIELDS = ("department", "jurisdiction", "emergency", "kind")


def read_examples(path: Path | str) -> list[dict]:
    """Messages in JSON Lines (the dev-set format). Blank lines are skipped; a line that is not a JSON
    object with a text is an error naming the line, not something to guess around."""
    examples: list[dict] = []
    with Path(path).open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError(f'{path}:{number}: expected an object with a "text" string')
            item.setdefault("id", f"line-{number}")
            item.setdefault("channel", "sms")
            examples.append(item)
    return examples


def _labelled(examples: list[dict], path: Path | str) -> None:
    for ex in examples:
        missing = [f for f in LABEL_FIELDS if f not in ex]
        if missing:
            raise ValueError(f"{path}: {ex['id']} has no label {', '.join(missing)}")


def classify_file(path: Path | str, classifier: Classifier, out: IO[str]) -> int:
    """Classify every message of `path` (label fields ignored); returns how many were written."""
    count = 0
    for ex in read_examples(path):
        d = classifier.classify(ex["text"], ex.get("channel", "sms"), ex.get("from"))
        row = {
            "id": ex["id"],
            "department": d.department,
            "jurisdiction": d.jurisdiction,
            "unit": d.unit,
            "emergency": d.emergency,
            "kind": d.kind,
            "confidence": d.confidence,
            "reasons": list(d.reasons),
        }
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def evaluate_file(path: Path | str, classifier: Classifier, out: IO[str]) -> dict[str, Any]:
    """Print the evaluation of `classifier` on the labelled messages of `path`; return the metrics."""
    examples = read_examples(path)
    _labelled(examples, path)
    decisions = [classifier.classify(ex["text"], ex.get("channel", "sms"), ex.get("from")) for ex in examples]
    result = metrics(examples, decisions)
    result["model_version"] = classifier.version
    out.write(f"classifier: {classifier.version}\n{format_report(result)}\n")
    return result


# Click commands for the lead's CLI group. They receive the classifier through `ctx.obj["classifier"]`
# (built by the group from --config-dir / --model), so that they hold no database or app code.


@click.command("classify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def classify_command(ctx: click.Context, path: str) -> None:
    """Classify the messages of a JSON Lines file; one JSON decision a line on stdout."""
    classify_file(path, ctx.obj["classifier"], click.get_text_stream("stdout"))


@click.command("evaluate")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def evaluate_command(ctx: click.Context, path: str) -> None:
    """Evaluate the classifier on a labelled JSON Lines file."""
    evaluate_file(path, ctx.obj["classifier"], click.get_text_stream("stdout"))


@click.command("train")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def train_command(ctx: click.Context, path: str) -> None:
    """Train a model on a labelled JSON Lines file; `ctx.obj["store_model"](model, source)` keeps it."""
    from gateway.classify.training import train  # scikit-learn only when training

    examples = read_examples(path)
    _labelled(examples, path)
    model = train(examples, ctx.obj.get("config_dir") or _default_dir())
    ctx.obj["store_model"](model, path)
    click.echo(f"trained {model.version} on {model.examples} examples")


def _default_dir() -> Path:
    from gateway.config import DEFAULT_CONFIG_DIR

    return DEFAULT_CONFIG_DIR
