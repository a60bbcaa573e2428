"""Settings in a link: ``...playground_app.ipynb?cell=lstm&hidden_size=32&seed=3``.

Voila hands the page's query string to the kernel in the ``QUERY_STRING``
environment variable. :func:`settings_from_query` reads it into the settings
dict a panel's ``load_settings`` takes, converting each value to the type of
that setting's current value; :func:`query_from_settings` writes the query that
reopens the current settings (only those that differ from the defaults, so links
stay short). Values are checked by the panel, with the messages of bad settings.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

TRUE = {"true", "1", "yes", "on"}
FALSE = {"false", "0", "no", "off"}


def _convert(name, text, like):
    """``text`` as the type of ``like`` (the setting's current value)."""
    if isinstance(like, bool):
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise ValueError(f"link setting {name!r} cannot be {text!r}; expected true or false")
    if isinstance(like, int):
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"link setting {name!r} cannot be {text!r}; expected a whole number") from None
    if isinstance(like, float):
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"link setting {name!r} cannot be {text!r}; expected a number") from None
    return text


def settings_from_query(query, current):
    """The settings a query string asks for, typed like ``current`` (a panel's ``settings()``).

    Raises ValueError naming the parameter for unknown names, repeated names and
    values of the wrong type; the panel's ``load_settings`` checks ranges and choices.
    """
    if not isinstance(query, str):
        raise TypeError(f"query must be a string, got {type(query).__name__}")
    pairs = parse_qsl(query.lstrip("?"), keep_blank_values=True)
    names = [name for name, _ in pairs]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"link setting(s) {repeated} appear more than once")
    unknown = sorted(set(names) - set(current))
    if unknown:
        raise ValueError(f"unknown link setting(s) {unknown}; valid: {', '.join(current)}")
    return {name: _convert(name, text, current[name]) for name, text in pairs}


def query_from_settings(settings, defaults=None):
    """The query string (``?a=1&b=x``) that reopens ``settings``; with ``defaults``,
    only the settings that differ from them."""
    chosen = {k: v for k, v in settings.items() if defaults is None or defaults.get(k) != v}
    text = urlencode({k: (str(v).lower() if isinstance(v, bool) else v) for k, v in chosen.items()})
    return "?" + text if text else ""
