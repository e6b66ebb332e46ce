"""Write real inspect_ai eval logs, made offline with deterministic mock models.

Each mock model answers from a fixed "skill" profile: the chance it answers a sample correctly
depends on the model, the task and the sample's difficulty, and a seeded hash of
(model, task, sample id, epoch) decides each answer. The logs therefore show real structure:
some models are better, some tasks are harder, and answers vary across epochs.

Usage (needs evalviz's `inspect` extra; offline, a few seconds):
    python examples/example_logs.py logs                 # 5 models x 4 tasks, 24 samples, 2 epochs, into ./logs
    python examples/example_logs.py logs --models atlas-large borealis --tasks capitals --samples 6 --epochs 1

From Python (a notebook in examples/notebooks/ puts its parent folder on sys.path first):
    from example_logs import write_logs
    write_logs("logs")
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import math
import random
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TypeVar

from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import Sample
from inspect_ai.model import (
    ChatMessage,
    GenerateConfig,
    Model,
    ModelOutput,
    ModelUsage,
    get_model,
)
from inspect_ai.scorer import Scorer, includes, match
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.tool import ToolChoice, ToolInfo

T = TypeVar("T")

MODELS = ("atlas-large", "atlas-small", "borealis", "cirrus-mini", "delta-pro")
TASKS = ("arithmetic", "capitals", "spelling", "logic_puzzles")

_CAPITALS = (
    ("France", "Paris"), ("Japan", "Tokyo"), ("Kenya", "Nairobi"), ("Canada", "Ottawa"),
    ("Australia", "Canberra"), ("Brazil", "Brasilia"), ("Egypt", "Cairo"), ("Norway", "Oslo"),
    ("Peru", "Lima"), ("India", "New Delhi"), ("Germany", "Berlin"), ("Spain", "Madrid"),
    ("Italy", "Rome"), ("Chile", "Santiago"), ("Mexico", "Mexico City"), ("Turkey", "Ankara"),
    ("Vietnam", "Hanoi"), ("Morocco", "Rabat"), ("Nigeria", "Abuja"), ("Poland", "Warsaw"),
    ("Portugal", "Lisbon"), ("Argentina", "Buenos Aires"), ("Thailand", "Bangkok"), ("Greece", "Athens"),
    ("Ireland", "Dublin"), ("Sweden", "Stockholm"), ("Finland", "Helsinki"), ("Austria", "Vienna"),
    ("Cuba", "Havana"), ("Ghana", "Accra"), ("Nepal", "Kathmandu"), ("Mongolia", "Ulaanbaatar"),
    ("New Zealand", "Wellington"), ("South Korea", "Seoul"), ("Switzerland", "Bern"), ("Colombia", "Bogota"),
)  # fmt: skip

_WORDS = (
    "necessary", "rhythm", "accommodate", "bureaucracy", "conscience", "definitely", "embarrass",
    "fluorescent", "guarantee", "harass", "independent", "jewelry", "knowledge", "liaison", "millennium",
    "noticeable", "occurrence", "pharaoh", "questionnaire", "receive", "separate", "threshold", "umbrella",
    "vacuum", "weird", "xylophone", "yacht", "zucchini", "acquire", "believe", "calendar", "discipline",
    "exhilarate", "foreign", "government", "hierarchy",
)  # fmt: skip

_NAMES = ("Ava", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana")
_RELATIONS = ("taller than", "older than", "faster than", "heavier than")

# How much easier (positive) or harder (negative) each task is, in log-odds.
_TASK_EASE = {"arithmetic": 0.3, "capitals": 1.0, "spelling": -0.2, "logic_puzzles": -0.8}
# Share of answers drawn afresh in each epoch rather than repeated from the sample's first draw.
_FRESH_ANSWERS = 0.3


@dataclass(frozen=True)
class _Profile:
    """A mock model's skill: base log-odds of a correct answer, per-task adjustments, verbosity."""

    base: float
    strengths: dict[str, float] = field(default_factory=dict)
    verbosity: float = 0.1  # chance of a full-sentence capitals answer (which fails the exact match)


_PROFILES = {
    "atlas-large": _Profile(2.0, {"logic_puzzles": -0.6}),
    "atlas-small": _Profile(0.5, {"arithmetic": -1.0}),
    "borealis": _Profile(1.1, {"spelling": 1.6, "capitals": -0.9}, verbosity=0.35),
    "cirrus-mini": _Profile(-0.4, {"capitals": 1.2}, verbosity=0.6),
    "delta-pro": _Profile(1.5, {"arithmetic": 1.2, "spelling": -1.3}),
}


@dataclass(frozen=True)
class _Item:
    """One question of a task, with the answers a mock model gives when right or wrong."""

    task: str
    id: str | int
    question: str
    target: str
    wrong: str
    difficulty: float  # log-odds subtracted from the model's skill


def _unit(*parts: object) -> float:
    """A deterministic pseudo-random number in [0, 1) from the given parts."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _arithmetic(rng: random.Random) -> tuple[str, str, str]:
    a, b = rng.randint(12, 99), rng.randint(12, 99)
    op, result = rng.choice([("+", a + b), ("-", a - b), ("*", a * b)])
    wrong = result + rng.choice([-10, -1, 1, 10])
    return f"What is {a} {op} {b}? Reply with just the number.", str(result), str(wrong)


def _logic_puzzle(rng: random.Random) -> tuple[str, str, str]:
    chain = rng.sample(_NAMES, rng.choice([3, 4]))
    relation = rng.choice(_RELATIONS)
    facts = " ".join(f"{a} is {relation} {b}." for a, b in pairwise(chain))
    i, j = sorted(rng.sample(range(len(chain)), 2))
    holds = rng.random() < 0.5
    x, y = (chain[i], chain[j]) if holds else (chain[j], chain[i])
    target, wrong = ("yes", "no") if holds else ("no", "yes")
    return f"{facts} Is {x} {relation} {y}? Answer yes or no.", target, wrong


def _check_size(task: str, n_samples: int, available: int) -> int:
    if n_samples > available:
        raise ValueError(f"task {task!r} has only {available} samples, {n_samples} requested")
    return n_samples


def _items(task: str, n_samples: int, seed: int) -> list[_Item]:
    """The first `n_samples` questions of `task`, generated deterministically from `seed`."""
    rng = random.Random(f"{task}-{seed}")
    rows: list[tuple[str | int, str, str, str]] = []
    if task in ("arithmetic", "logic_puzzles"):
        make = _arithmetic if task == "arithmetic" else _logic_puzzle
        seen: set[str] = set()
        while len(rows) < n_samples:
            question, target, wrong = make(rng)
            if question not in seen:
                seen.add(question)
                rows.append((len(rows) + 1, question, target, wrong))
    elif task == "capitals":
        capitals = [capital for _, capital in _CAPITALS]
        for country, capital in rng.sample(_CAPITALS, _check_size(task, n_samples, len(_CAPITALS))):
            wrong = rng.choice([c for c in capitals if c != capital])
            slug = country.lower().replace(" ", "-")
            rows.append((slug, f"What is the capital of {country}?", capital, wrong))
    elif task == "spelling":
        for word in rng.sample(_WORDS, _check_size(task, n_samples, len(_WORDS))):
            target = word[::-1]
            k = rng.randrange(len(target))
            rows.append((word, f"Spell the word '{word}' backwards.", target, target[:k] + target[k + 1 :]))
    else:
        raise ValueError(f"unknown task {task!r}; choose from {TASKS}")
    return [
        _Item(task, sample_id, question, target, wrong, difficulty=3.0 * (_unit(seed, task, sample_id) - 0.5))
        for sample_id, question, target, wrong in rows
    ]


def _difficulty_label(difficulty: float) -> str:
    return "easy" if difficulty < -0.5 else "hard" if difficulty > 0.5 else "medium"


def _task(task: str, items: Sequence[_Item]) -> Task:
    dataset = [
        Sample(
            input=item.question,
            target=item.target,
            id=item.id,
            metadata={"difficulty": _difficulty_label(item.difficulty)},
        )
        for item in items
    ]
    scorers: list[Scorer]
    if task == "arithmetic":
        scorers = [match(numeric=True)]
    elif task == "capitals":
        scorers = [includes(), match(location="exact")]
    else:
        scorers = [match(location="exact")]
    return Task(dataset=dataset, solver=_answer_with_epoch_seed(), scorer=scorers, name=task)


@solver
def _answer_with_epoch_seed() -> Solver:
    """Generate with the epoch as the sampling seed, so each epoch draws different answers."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        return await generate(state, seed=state.epoch)

    return solve


def _mock_outputs(
    model: str, items: dict[str, _Item], seed: int
) -> Callable[[list[ChatMessage], list[ToolInfo], ToolChoice, GenerateConfig], ModelOutput]:
    """The mockllm `custom_outputs` function: answers each question according to `model`'s profile."""
    profile = _PROFILES.get(model, _Profile(base=3.0 * _unit(seed, "base", model) - 1.0))

    def generate(
        input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> ModelOutput:
        question = input[-1].text
        item = items[question]
        logit = profile.base + profile.strengths.get(item.task, 0.0) + _TASK_EASE[item.task] - item.difficulty
        # Most answers repeat across epochs (config.seed is the epoch); the rest are drawn afresh per epoch.
        sample, draw = (seed, model, item.task, item.id), (seed, model, item.task, item.id, config.seed)
        chance = _unit(*draw) if _unit("fresh", *draw) < _FRESH_ANSWERS else _unit(*sample)
        answer = item.target if chance < 1 / (1 + math.exp(-logit)) else item.wrong
        if item.task == "capitals" and _unit("verbose", *draw) < profile.verbosity:
            answer = f"The capital is {answer}."
        output = ModelOutput.from_content(model=model, content=answer)
        # Giving usage up front stops mockllm from counting tokens with a tokenizer it would download.
        input_tokens, output_tokens = len(question.split()), len(answer.split())
        output.usage = ModelUsage(
            input_tokens=input_tokens, output_tokens=output_tokens, total_tokens=input_tokens + output_tokens
        )
        return output

    return generate


def _outside_event_loop(run: Callable[[], T]) -> T:
    """inspect_ai's eval starts an event loop of its own, which fails where one runs already (a notebook,
    Playwright's sync API): there it runs in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def write_logs(
    log_dir: str | Path,
    *,
    models: Sequence[str] = MODELS,
    tasks: Sequence[str] = TASKS,
    n_samples: int = 24,
    epochs: int = 2,
    seed: int = 0,
) -> list[Path]:
    """Run every task against every mock model and write one `<task>_<model>.eval` log per pair.

    The runs are offline and deterministic for a given `seed`: the answers and scores are the same
    every time (only the logs' timestamps, run ids and timings differ). Returns the log paths.
    """
    log_dir = Path(log_dir).absolute()
    task_items = {task: _items(task, n_samples, seed) for task in tasks}
    by_question = {item.question: item for items in task_items.values() for item in items}
    mock_models: list[Model] = [
        get_model(f"mockllm/{model}", custom_outputs=_mock_outputs(model, by_question, seed))
        for model in models
    ]
    logs = _outside_event_loop(
        lambda: inspect_eval(
            [_task(task, items) for task, items in task_items.items()],
            model=mock_models,
            epochs=epochs,
            log_dir=str(log_dir),
            log_format="eval",
            display="none",
            log_level="error",
            score_display=False,
            log_realtime=False,
        )
    )
    paths = []
    for log in logs:
        if log.status != "success":
            raise RuntimeError(f"eval of {log.eval.task} with {log.eval.model} failed: {log.error}")
        # Inspect prefixes log names with a timestamp; stable names keep the derived tables reproducible.
        path = log_dir / f"{log.eval.task}_{log.eval.model.removeprefix('mockllm/')}.eval"
        Path(log.location).replace(path)
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> None:
    """Write the logs into the folder given on the command line and print their paths."""
    parser = argparse.ArgumentParser(description="Write real inspect_ai eval logs of mock models, offline.")
    parser.add_argument("log_dir", type=Path, help="the folder to write the logs into (created if missing)")
    parser.add_argument("--models", nargs="+", default=MODELS, metavar="MODEL", help=f"default: {' '.join(MODELS)}")
    parser.add_argument("--tasks", nargs="+", default=TASKS, choices=TASKS, metavar="TASK",
                        help=f"from: {' '.join(TASKS)} (default: all)")
    parser.add_argument("--samples", type=int, default=24, help="samples per task (default: 24)")
    parser.add_argument("--epochs", type=int, default=2, help="epochs per sample (default: 2)")
    parser.add_argument("--seed", type=int, default=0, help="the seed of questions and answers (default: 0)")
    args = parser.parse_args(argv)
    if args.samples < 1 or args.epochs < 1:
        parser.error("--samples and --epochs must be at least 1")
    if args.log_dir.exists() and not args.log_dir.is_dir():
        parser.error(f"{str(args.log_dir)!r} is a file: give the folder to write the logs into")
    try:
        paths = write_logs(args.log_dir, models=args.models, tasks=args.tasks, n_samples=args.samples,
                           epochs=args.epochs, seed=args.seed)
    except ValueError as exc:  # more samples than a task has
        parser.error(str(exc))
    print("\n".join(str(path) for path in paths))


if __name__ == "__main__":
    main()
