"""Comment themes and sentiment: the labelled set, the held-out figures, the trained weights, the command.

The floors hold the figures measured on the held-out part (README, "What victims say"), so a
change to the cues or the sentiment model that codes comments worse fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from victim_voice.cli import main
from victim_voice.themes import classifier, codeframe, rules, sentiment
from victim_voice.themes.classifier import classify, classify_many
from victim_voice.themes.evaluation import measure
from victim_voice.themes.training import LABELLED, load

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "codeframe.yaml"


@pytest.fixture(scope="module")
def held_out() -> list[dict]:
    return load(split="test")


def test_held_out_macro_f1_and_sentiment_accuracy_do_not_fall(held_out: list[dict]) -> None:
    measured = measure(held_out)
    assert measured.macro_f1 >= 0.76
    assert measured.sentiment_accuracy >= 0.85


def test_the_labelled_set_is_large_varied_and_well_formed() -> None:
    rows = load()
    assert len(rows) >= 4000
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["text"].lower() for r in rows}) == len(rows)  # no comment in both parts
    assert {r["split"] for r in rows} == {"dev", "test"}
    assert sum(r["split"] == "test" for r in rows) >= 400
    assert {r["sentiment"] for r in rows} == set(codeframe.SENTIMENTS)
    assert all(set(r["themes"]) <= set(codeframe.THEMES) for r in rows)
    assert all(set(r["themes"].values()) <= {"POS", "NEG", "MIXED"} for r in rows)
    assert sum(not r["themes"] for r in rows) >= 30  # comments raising no theme
    assert sum("MIXED" in r["themes"].values() for r in rows) >= 15
    assert any("[NAME]" in r["text"] for r in rows) and any("[PHONE]" in r["text"] for r in rows)


def test_every_label_is_in_the_held_out_part_often_enough_to_measure(held_out: list[dict]) -> None:
    support = {label: sum(label in codeframe.raised(r["themes"]) for r in held_out) for label in codeframe.LABELS}
    assert min(support.values()) >= 5, {k: v for k, v in support.items() if v < 5}


@pytest.mark.skipif(not SPEC.is_file(), reason=f"no codeframe spec at {SPEC}")
def test_our_codeframe_is_the_specs() -> None:
    import yaml

    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    assert spec["version"] == codeframe.VERSION
    assert {t: v["label"] for t, v in spec["themes"].items()} == codeframe.THEME_LABELS
    assert list(spec["sentiment"]) == list(codeframe.SENTIMENTS)


def test_the_theme_model_scores_as_its_named_features_say() -> None:
    """The fast scoring path gives what the features the model was trained on give."""
    import numpy as np

    from victim_voice.themes import theme_model

    model = theme_model.default_model()
    assert model is not None and model.labels_ == codeframe.LABELS
    for text in ["PC [NAME] was kind, but not once did anyone call me back.", "nobody rang bak", "", "ISVA ISVA ISVA"]:
        hits = rules.comment_hits(text)
        named = theme_model.features(
            text, hits, theme_model.named(model.word_idf, "w="), theme_model.named(model.char_idf, "c=")
        )
        expected = model.bias + sum(
            (value * model.weights[model.column[name]].astype(np.float64) for name, value in named.items()),
            start=np.zeros(len(codeframe.LABELS)),
        )
        assert all(name in model.column for name in named if not name.startswith("r=") and not name.startswith("t="))
        assert np.allclose(list(model.scores(text, hits).values()), expected, atol=1e-4)


def test_the_model_reads_past_the_cues_words() -> None:
    """A misspelling no cue knows is still read from the pieces of its words."""
    from victim_voice.themes import theme_model

    model = theme_model.default_model()
    text = "waitd 9 mnths for a cort date"
    assert not rules.comment_hits(text)
    assert model.labels(text, []) == {("court", "NEG"), ("timeliness", "NEG")}


@pytest.mark.parametrize(
    ("text", "themes"),
    [
        ("Not once did I have to chase for an update.", {"kept_informed": "POS"}),
        ("They didn't believe me.", {"believed": "NEG"}),
        ("My worker was kind and never made me feel stupid.", {"respect_empathy": "POS"}),
        ("PC [NAME] rang me on [PHONE] about [ADDRESS], [POSTCODE].", {}),
        ("n/a", {}),
    ],
)
def test_negation_clauses_and_redaction_tokens(text: str, themes: dict[str, str]) -> None:
    assert classify(text).themes == themes


def test_not_once_reads_as_a_complaint() -> None:
    # The model also raises kept_informed here, which the guideline keeps for calls that sought
    # an update (README, "What victims say": an error it makes); the negation is what is tested.
    coding = classify("Not once did anyone call me back.")
    assert coding.themes["contact_access"] == "NEG" and "POS" not in coding.themes.values()


def test_one_theme_raised_both_ways_in_two_clauses_is_mixed() -> None:
    assert classify("Quick to charge, but slow to get to court.").themes["timeliness"] == "MIXED"


WORDS = st.sampled_from(
    "not never nobody once call called updated kind rude court trial [NAME] [PHONE] safe scared but . , ! "
    "support referral waited months NFA charged believed me police officer children compensation".split()
)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200) | st.lists(WORDS, max_size=25).map(" ".join))
def test_any_text_gets_valid_codes(text: str) -> None:
    coding = classify(text)
    assert set(coding.themes) <= set(codeframe.THEMES)
    assert set(coding.themes.values()) <= {"POS", "NEG", "MIXED"}
    assert coding.sentiment in codeframe.SENTIMENTS


def _every_cue_run(text: str) -> list[rules.Hit]:
    """The hits with no cue skipped by the literal gate."""
    gate = rules._gate()
    everything = list(range(len(gate.needs)))
    original, gate.candidates = gate.candidates, lambda _: everything
    try:
        return rules.comment_hits(text)
    finally:
        gate.candidates = original


def test_the_literal_gate_skips_only_cues_that_cannot_match() -> None:
    for row in load():
        assert rules.comment_hits(row["text"]) == _every_cue_run(row["text"]), row["id"]


@settings(max_examples=200, deadline=None)
@given(text=st.lists(WORDS, max_size=25).map(" ".join) | st.text(alphabet="abcdefghilnorstuy' .", max_size=80))
def test_the_literal_gate_changes_no_hit_on_any_text(text: str) -> None:
    assert rules.comment_hits(text) == _every_cue_run(text)


def test_vader_is_skipped_only_when_it_could_not_change_the_sentiment() -> None:
    model = sentiment.default_model()
    for row in load(split="dev"):
        hits = rules.comment_hits(row["text"])
        assert sentiment.sentiment_of(row["text"], hits) == model.predict(sentiment.features(row["text"], hits))


def test_classify_many_in_processes_keeps_the_order(monkeypatch) -> None:
    monkeypatch.setattr(classifier, "POOL_FROM", 10)
    monkeypatch.setattr(classifier, "CHUNK", 7)
    texts = [row["text"] for row in load(split="dev")[:40]] + ["", "n/a"]
    assert classify_many(texts, workers=2) == [classify(text) for text in texts]


def test_an_empty_comment_is_neutral_and_raises_nothing() -> None:
    assert classify("   ").as_record(7) == {"id": 7, "themes": {}, "sentiment": "NEUTRAL"}


def test_praise_and_complaint_in_one_comment_is_mixed() -> None:
    coding = classify("The officer who came was lovely, but I never heard anything after that and it was dropped.")
    assert coding.themes["respect_empathy"] == "POS"
    assert coding.themes["kept_informed"] == "NEG"
    assert coding.sentiment == "MIXED"


# --------------------------------------------------------------------------- the command


def test_classify_writes_one_coded_line_per_comment(tmp_path: Path, capsys) -> None:
    source, target = tmp_path / "comments.jsonl", tmp_path / "coded.jsonl"
    source.write_text(
        '{"id": "a", "text": "Nobody told me he had been released. I am scared."}\n\n'
        '{"id": 2, "text": "The IDVA was my rock."}\n',
        encoding="utf-8",
    )
    assert main(["themes", "classify", "--in", str(source), "--out", str(target)]) == 0
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert lines == [
        {"id": "a", "themes": {"kept_informed": "NEG", "safety": "NEG"}, "sentiment": "NEGATIVE"},
        {"id": 2, "themes": {"emotional_support": "POS"}, "sentiment": "POSITIVE"},
    ]
    assert "Coded 2 comment(s)" in capsys.readouterr().err


def test_classify_agrees_with_the_labelled_set_as_measured(tmp_path: Path) -> None:
    """The command codes as the evaluation measures: its output scored against the labels gives the same F1."""
    rows = load(split="test")
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in rows), encoding="utf-8")
    assert main(["themes", "classify", "--in", str(source), "--out", str(target)]) == 0
    coded = {c["id"]: c for c in map(json.loads, target.read_text(encoding="utf-8").splitlines())}
    assert [coded[r["id"]]["themes"] for r in rows] == [classify(r["text"]).themes for r in rows]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"id": 1, "text": "fine"}\nnot json\n', "line 2: not a JSON object"),
        (b'{"id": 1, "comment": "no text field"}\n', 'line 1: needs a "text" string'),
        (b'{"id": 1, "text": 5}\n', 'line 1: needs a "text" string'),
        (b'["a list"]\n', 'line 1: needs a "text" string'),
        (b'{"id": 1, "text": "caf\xe9"}\n', "line 1: not UTF-8 text"),
    ],
)
def test_a_bad_line_is_named_with_exit_2_and_nothing_written(tmp_path: Path, capsys, content, message) -> None:
    source, target = tmp_path / "bad.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(content)
    assert main(["themes", "classify", "--in", str(source), "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert f"{source}, {message}" in err and "Traceback" not in err
    assert not target.exists()


@pytest.mark.parametrize("problem", ["missing", "folder", "no output folder"])
def test_an_unreadable_input_or_unwritable_output_is_a_clear_error(tmp_path: Path, capsys, problem: str) -> None:
    source = tmp_path / "comments.jsonl"
    source.write_text('{"id": 1, "text": "fine"}\n', encoding="utf-8")
    target = tmp_path / "out.jsonl"
    if problem == "missing":
        source = tmp_path / "nowhere.jsonl"
    elif problem == "folder":
        source = tmp_path
    else:
        target = tmp_path / "no-such-folder" / "out.jsonl"
    assert main(["themes", "classify", "--in", str(source), "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("victim-voice: error: ") and "Traceback" not in err


def test_the_double_coding_is_kept_for_every_double_coded_comment() -> None:
    """Both codings of each double-coded comment (labelled/GUIDELINE.md, "Double coding"): every
    c-comment and every held-out w-comment, each with a first and a second coding of the codeframe."""
    path = LABELLED.parent / "double_coding.jsonl"
    double = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    rows = {r["id"]: r for r in load()}
    ids = {d["id"] for d in double}
    assert len(ids) == len(double) and ids <= rows.keys()
    assert ids == {i for i, r in rows.items() if "_" not in i or r["split"] == "test"}
    for d in double:
        for coding in (d["first"], d["second"]):
            assert set(coding["themes"]) <= set(codeframe.THEMES) and coding["sentiment"] in codeframe.SENTIMENTS
    agreed = sum(codeframe.raised(d["first"]["themes"]) == codeframe.raised(d["second"]["themes"]) for d in double)
    assert 0.7 < agreed / len(double) < 1  # two people, coding alone: mostly, not always, the same


def test_the_labelled_set_ships_beside_its_guideline() -> None:
    guideline = (LABELLED.parent / "GUIDELINE.md").read_text(encoding="utf-8")
    assert "held out" in guideline and all(theme in guideline for theme in codeframe.THEMES)


def test_the_evaluation_scores_every_line_of_any_labelled_file(tmp_path: Path, capsys) -> None:
    from victim_voice.themes import evaluation

    path = tmp_path / "coded.jsonl"
    rows = [
        {
            "id": 1,
            "text": "Not once did anyone call me back.",
            "themes": {"contact_access": "NEG"},
            "sentiment": "NEGATIVE",
        },
        {"id": 2, "text": "n/a", "themes": {}, "sentiment": "NEUTRAL", "split": "test"},
        {"id": 3, "text": "The IDVA was my rock.", "themes": {"court": "POS"}, "sentiment": "POSITIVE", "split": "dev"},
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows) + "\n", encoding="utf-8")
    assert evaluation.main(["--file", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"on {path} (3 comments)" in out and "sentiment accuracy: 1.000 (3 comments)" in out
    assert "contact_access       NEG            1      1.00    1.00  1.00" in out
    assert "court                POS            1      0.00    0.00  0.00" in out


def test_the_evaluation_names_a_bad_line_of_a_labelled_file(tmp_path: Path, capsys) -> None:
    from victim_voice.themes import evaluation

    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"text": "fine", "themes": {}, "sentiment": "NEUTRAL"}\n{"text": "x", "themes": {"weather": "POS"}}\n'
    )
    with pytest.raises(SystemExit) as raised:
        evaluation.main(["--file", str(path)])
    assert raised.value.code == 2
    assert f"{path}: line 2: needs" in capsys.readouterr().err


def test_an_independent_second_coder_s_comments_are_coded_about_as_well_as_measured() -> None:
    """200 comments written and coded by a second coder who saw only the guideline and the
    codeframe (labelled/SECOND_CODER.md), never used to write the cues or train: the honest
    test of how the classifier carries to another person's writing and coding. Measured 0.759
    macro F1 and 0.875 sentiment accuracy; a floor just under, so that a change that loses it
    is seen."""
    path = Path(codeframe.__file__).parent / "labelled" / "second_coder.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 200 and not any("split" in row for row in rows)
    measured = measure(rows)
    assert measured.macro_f1 >= 0.74
    assert measured.sentiment_accuracy >= 0.86


def test_the_macro_f1_interval_brackets_the_figure_and_narrows_with_more_comments() -> None:
    from victim_voice.themes.evaluation import Measurement

    def measured(copies: int) -> Measurement:
        m = Measurement()
        pairs = [
            ({("court", "NEG")}, {("court", "NEG")}),
            ({("court", "NEG")}, set()),
            ({("safety", "POS")}, {("safety", "POS"), ("court", "NEG")}),
            (set(), set()),
        ]
        for _ in range(copies):
            for gold, found in pairs:
                m.add(gold, found)
        return m

    small, large = measured(5), measured(50)
    assert small.macro_f1 == pytest.approx(large.macro_f1)
    low, high = small.macro_f1_interval()
    assert low < small.macro_f1 < high
    assert small.macro_f1_interval() == (low, high)  # seeded: the same each time
    large_low, large_high = large.macro_f1_interval()
    assert large_high - large_low < (high - low) / 2
