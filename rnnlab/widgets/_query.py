"""Settings in a link: ``...playground_app.ipynb?cell=lstm&hidden_size=32&seed=3``.

Voila hands the page's query string to the kernel in the ``QUERY_STRING``
environment variable (and the whole address in ``VOILA_REQUEST_URL``).
:func:`settings_from_query` reads a query into the settings dict a panel's
``load_settings`` takes, reading each value as its setting in the panel's
settings table says (a whole number, a number, true/false, a choice, a list);
a value that cannot be read gets the message of a bad setting
(``hidden_size must be an integer from 1 to 64, got 'abc'``), and the panel
then checks ranges and choices as for any setting.
:func:`query_from_settings` writes the query that reopens the current settings
(only those that differ from the defaults, so links stay short), and
:func:`link_for` the whole link.
"""
from __future__ import annotations

import os
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRUE = {"true", "1", "yes", "on"}
FALSE = {"false", "0", "no", "off"}


def _table(panel):
    """The settings table of a panel (instance or class), or None for a dict of settings."""
    if isinstance(panel, dict):
        return None
    table = getattr(panel, "SETTINGS", None)
    if table is None:
        raise TypeError("settings_from_query needs a panel (or its class) with a settings table, "
                        f"or a dict of its settings; got {type(panel).__name__}")
    return table


def _read(setting, text, values):
    """``text`` as a value of ``setting`` (the table's own parsing), or the setting's error."""
    from ._settings import Choice, Flag, Float, Int, Multi  # widgets-free module, cheap

    name = setting.name
    if isinstance(setting, Flag):
        if text.strip().lower() in TRUE:
            return True
        if text.strip().lower() in FALSE:
            return False
        raise ValueError(f"{name} must be true or false, got {text!r}")
    if isinstance(setting, (Int, Float)):
        try:
            return setting.parse(text)
        except ValueError:
            try:
                allowed = setting.allowed(values)
            except (KeyError, TypeError, ValueError):  # a bound that needs other settings
                allowed = setting.kind
            raise ValueError(f"{name} must be {allowed}, got {text!r}") from None
    if isinstance(setting, Multi):
        return tuple(part for part in text.split(",") if part.strip())
    if isinstance(setting, Choice):
        # a number among numeric choices (clip=0.5, clip=0); otherwise the name or label as
        # written, which the panel matches (case-insensitively) or refuses with its message
        try:
            number = float(text)
        except ValueError:
            return text
        values = [] if callable(setting.choices) else setting.values({})
        numeric = [v for v in values if not isinstance(v, (str, bool))]
        return number if any(number == v for v in numeric) else text
    return text


def _convert(name, text, like):
    """``text`` as the type of ``like`` (a dict of current settings, the older form)."""
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


def settings_from_query(query, panel, ignore=()):
    """The settings a query string asks for, read as the panel's settings table says.

    ``panel`` is a panel (or its class); ``ignore`` names parameters that are
    not settings (the app's own, such as ``presentation``). Unknown names,
    repeated names and values their setting cannot read raise ValueError
    naming the setting; the panel's ``load_settings`` then checks ranges and
    choices. (``panel`` may also be a dict of the current settings: values are
    then read with the types of those values.)
    """
    if not isinstance(query, str):
        raise TypeError(f"query must be a string, got {type(query).__name__}")
    pairs = [(n, t) for n, t in parse_qsl(query.lstrip("?"), keep_blank_values=True)
             if n not in ignore]
    names = [name for name, _ in pairs]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"link setting(s) {repeated} appear more than once")
    table = _table(panel)
    if table is None:
        unknown = sorted(set(names) - set(panel))
        if unknown:
            raise ValueError(f"unknown link setting(s) {unknown}; valid: {', '.join(panel)}")
        return {name: _convert(name, text, panel[name]) for name, text in pairs}
    by_name = {s.name: s for s in table if s.control}
    unknown = sorted(set(names) - set(by_name))
    if unknown:
        raise ValueError(f"unknown setting{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(map(repr, unknown))} in the link; valid: "
                         f"{', '.join(by_name)}")
    values = panel.settings() if not isinstance(panel, type) else {}
    return {name: _read(by_name[name], text, values) for name, text in pairs}


def query_from_settings(settings, defaults=None):
    """The query string (``?a=1&b=x``) that reopens ``settings``; with ``defaults``,
    only the settings that differ from them."""
    chosen = {k: v for k, v in settings.items() if defaults is None or defaults.get(k) != v}

    def text(v):
        if isinstance(v, bool):
            return str(v).lower()
        if isinstance(v, (tuple, list)):
            return ",".join(map(str, v))
        return v

    out = urlencode({k: text(v) for k, v in chosen.items()})
    return "?" + out if out else ""


def link_for(settings, defaults=None, base=None, extra=None):
    """The whole link that reopens ``settings``: ``base`` (default: the address Voila
    served this page from, without its query) followed by :func:`query_from_settings`;
    ``extra`` adds parameters that are not settings (``{"presentation": True}``)."""
    if base is None:
        base = os.environ.get("VOILA_REQUEST_URL", "")
    parts = urlsplit(base)
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    query = query_from_settings(settings, defaults)
    more = query_from_settings(extra or {})
    if more:
        query = query + "&" + more[1:] if query else more
    return base + query
