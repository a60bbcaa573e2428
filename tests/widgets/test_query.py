"""Settings in a link (the Voila app's query string), without a browser."""
import pytest

from rnnlab.widgets import Playground, query_from_settings, settings_from_query

CURRENT = {"cell": "rnn", "hidden_size": 24, "lr": 0.03, "bidirectional": False, "clip": 1.0}


def test_a_query_is_read_with_the_types_of_the_settings():
    got = settings_from_query("?cell=lstm&hidden_size=32&lr=1e-3&bidirectional=true&clip=0", CURRENT)
    assert got == {"cell": "lstm", "hidden_size": 32, "lr": 0.001, "bidirectional": True, "clip": 0.0}
    assert settings_from_query("", CURRENT) == {}


@pytest.mark.parametrize("query, says", [
    ("hidden_size=2.5", "'hidden_size' cannot be '2.5'; expected a whole number"),
    ("lr=fast", "'lr' cannot be 'fast'; expected a number"),
    ("bidirectional=maybe", "expected true or false"),
    ("colour=red", "unknown link setting(s) ['colour']"),
    ("cell=gru&cell=lstm", "['cell'] appear more than once"),
])
def test_bad_queries_name_the_setting(query, says):
    with pytest.raises(ValueError) as err:
        settings_from_query(query, CURRENT)
    assert says in str(err.value)


def test_a_link_round_trips_through_the_playground():
    pg = Playground()
    defaults = pg.settings()
    pg.load_settings(settings_from_query("?cell=lstm&hidden_size=32&seed=3", defaults))
    query = query_from_settings(pg.settings(), defaults)
    assert query == "?cell=lstm&hidden_size=32&seed=3"
    other = Playground()
    other.load_settings(settings_from_query(query, other.settings()))
    assert other.settings() == pg.settings()
    with pytest.raises(ValueError, match="hidden_size"):  # the panel checks ranges, as for any setting
        pg.load_settings(settings_from_query("hidden_size=500", defaults))
    assert query_from_settings(defaults, defaults) == ""
    pg.close()
    other.close()
