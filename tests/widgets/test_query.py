"""Settings in a link (the Voila app's query string), without a browser: read as the
panel's settings table says, with the messages of bad settings."""
import pytest

from rnnlab.widgets import (GradientFlowView, Playground, link_for, presentation,
                            query_from_settings, settings_from_query)

CURRENT = {"cell": "rnn", "hidden_size": 24, "lr": 0.03, "bidirectional": False, "clip": 1.0}


@pytest.fixture(scope="module")
def pg():
    panel = Playground()
    yield panel
    panel.close()


def test_a_query_is_read_as_the_settings_table_says(pg):
    got = settings_from_query("?cell=lstm&hidden_size=32&lr=1e-3&bidirectional=true&clip=0"
                              "&epochs=1e3", pg)
    assert got == {"cell": "lstm", "hidden_size": 32, "lr": 0.001, "bidirectional": True,
                   "clip": 0.0, "epochs": 1000}
    assert type(got["hidden_size"]) is int and type(got["clip"]) is float
    assert settings_from_query("clip=off&optimizer=SGD", pg) == {"clip": "off", "optimizer": "SGD"}
    assert settings_from_query("", pg) == {}
    flow = GradientFlowView(T=20)
    assert settings_from_query("cells=gru,lstm", flow) == {"cells": ("gru", "lstm")}
    flow.load_settings(settings_from_query("cells=gru,lstm&activation=relu", flow))
    assert flow.settings()["cells"] == ("gru", "lstm")


@pytest.mark.parametrize("query, says", [
    # the messages of a bad setting: name, what it takes, what was given
    ("hidden_size=2.5", "hidden_size must be an integer from 1 to 64, got '2.5'"),
    ("hidden_size=abc", "hidden_size must be an integer from 1 to 64, got 'abc'"),
    ("lr=fast", "lr must be a number from 0.0001 to 1, got 'fast'"),
    ("k=x", "k must be an integer"),
    ("bidirectional=maybe", "bidirectional must be true or false, got 'maybe'"),
    ("colour=red", "unknown setting 'colour' in the link; valid: task, pattern, cell"),
    ("cell=gru&cell=lstm", "['cell'] appear more than once"),
])
def test_bad_queries_get_the_messages_of_bad_settings(pg, query, says):
    with pytest.raises(ValueError) as err:
        settings_from_query(query, pg)
    assert says in str(err.value)


@pytest.mark.parametrize("query, says", [
    ("hidden_size=500", "hidden_size must be an integer from 1 to 64, got 500"),
    ("cell=cnn", "unknown cell 'cnn'; valid: rnn, gru, lstm"),
    ("lr=5", "lr must be a number from 0.0001 to 1"),
])
def test_ranges_and_choices_are_checked_by_the_panel_as_for_any_setting(pg, query, says):
    before = pg.settings()
    with pytest.raises(ValueError) as err:
        pg.load_settings(settings_from_query(query, pg))
    assert says in str(err.value) and pg.settings() == before


def test_app_parameters_are_ignored_on_request_and_the_old_dict_form_still_works(pg):
    assert settings_from_query("presentation=true&cell=gru", pg, ignore=("presentation",)) == {
        "cell": "gru"}
    with pytest.raises(ValueError, match="unknown setting 'presentation'"):
        settings_from_query("presentation=true", pg)
    assert settings_from_query("hidden_size=8&bidirectional=no", CURRENT) == {
        "hidden_size": 8, "bidirectional": False}
    with pytest.raises(TypeError, match="settings table"):
        settings_from_query("a=1", object())


def test_a_link_round_trips_through_the_playground(monkeypatch):
    pg = Playground()
    defaults = pg.settings()
    pg.load_settings(settings_from_query("?cell=lstm&hidden_size=32&seed=3", pg))
    query = query_from_settings(pg.settings(), defaults)
    assert query == "?cell=lstm&hidden_size=32&seed=3"
    monkeypatch.setenv("VOILA_REQUEST_URL", "http://127.0.0.1:8866/voila/render/app.ipynb?cell=gru")
    assert link_for(pg.settings(), defaults) == (
        "http://127.0.0.1:8866/voila/render/app.ipynb?cell=lstm&hidden_size=32&seed=3")
    assert link_for(defaults, defaults, base="http://h/app", extra={"presentation": True}) == (
        "http://h/app?presentation=true")
    other = Playground()
    other.load_settings(settings_from_query(query, other))
    assert other.settings() == pg.settings()
    assert query_from_settings(defaults, defaults) == ""
    pg.close()
    other.close()


def test_presentation_for_one_panel_or_every_panel():
    pg, flow = Playground(), GradientFlowView(T=20)
    try:
        assert presentation(True, panel=flow) is True
        assert flow.canvas.presenting and not pg.loss_canvas.presenting
        assert presentation(True) is True and pg.loss_canvas.presenting
        assert presentation(None, panel=flow) is True  # follows the global setting again
        presentation(False)
        assert not flow.canvas.presenting and not pg.pred_canvas.presenting
        with pytest.raises(TypeError, match="True, False or None"):
            presentation("yes")
        with pytest.raises(TypeError, match="a panel with figures"):
            presentation(True, panel=object())
    finally:
        presentation(False)
        pg.close()
        flow.close()
