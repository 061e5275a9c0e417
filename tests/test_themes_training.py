"""`make themes-model` reproduces the committed sentiment and theme models from the repository.

Apart from tests/test_themes.py so that the two processes of `make test` can retrain while
the other themes tests run.
"""

from __future__ import annotations

import json

import pytest

from victim_voice.themes import sentiment


@pytest.mark.slow
def test_the_committed_sentiment_model_is_what_training_gives() -> None:
    """`make themes-model` reproduces sentiment_model.json from the repository."""
    pytest.importorskip("sklearn", reason="scikit-learn (a dev extra) trains the model")
    from victim_voice.themes import training

    retrained = training.train(training.load(split="dev"))
    committed = json.loads(sentiment.MODEL_FILE.read_text(encoding="utf-8"))
    assert retrained["classes"] == committed["classes"]
    assert retrained["weights"].keys() == committed["weights"].keys()
    assert all(abs(a - b) < 1e-3 for a, b in zip(retrained["bias"], committed["bias"], strict=True))
    for name, row in committed["weights"].items():
        assert all(abs(a - b) < 1e-3 for a, b in zip(retrained["weights"][name], row, strict=True)), name


@pytest.mark.slow
def test_the_committed_theme_model_is_what_training_gives() -> None:
    """`make themes-model` reproduces theme_model.npz from the repository."""
    pytest.importorskip("sklearn", reason="scikit-learn (a dev extra) trains the model")
    import numpy as np

    from victim_voice.themes import theme_model, training

    retrained = training.train_themes(training.load(split="dev"))
    with np.load(theme_model.MODEL_FILE, allow_pickle=False) as committed:
        assert set(committed.files) == set(retrained)
        for name in ("labels", "features", "trained_on"):
            assert np.array_equal(committed[name], retrained[name]), name
        for name in ("idf", "bias", "threshold"):
            assert np.allclose(committed[name], retrained[name], atol=1e-3), name
        assert np.allclose(committed["weights"], retrained["weights"], atol=1e-2)  # half precision
