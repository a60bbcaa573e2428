"""Character-level text data: a shipped text, a vocabulary, training windows.

The text ``'shakespeare'`` is ``rnnlab/datasets/shakespeare.txt``: the first
63,889 characters (plain ASCII) of Shakespeare's *Coriolanus* as given in the
"tiny Shakespeare" file of Andrej Karpathy's char-rnn repository (GitHub
``karpathy/char-rnn``, ``data/tinyshakespeare/input.txt``), cut at the end of
a speech. Shakespeare's works are in the public domain. See
``rnnlab/datasets/SOURCES.md``.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_array, check_choice, check_float, check_int, check_seed
from .dataset import Dataset, read_packaged

TEXTS = {"shakespeare": "shakespeare.txt"}


def load_text(name="shakespeare"):
    """Return a shipped text as one string (``\\n`` line endings)."""
    key = check_choice(name, "text name", TEXTS)
    return read_packaged(TEXTS[key]).replace("\r\n", "\n")


class CharVocab:
    """The sorted set of characters in a text, and the maps to and from ids.

    Parameters
    ----------
    text : str
        Every character that may later be encoded must occur in it.

    Attributes
    ----------
    chars : str
        The distinct characters, sorted; ``chars[i]`` has id ``i``.
    index : dict
        Character -> id.
    """

    def __init__(self, text):
        if not isinstance(text, str) or not text:
            raise TypeError(f"text must be a non-empty string, got {type(text).__name__} {text!r:.40}")
        self.chars = "".join(sorted(set(text)))
        self.index = {c: i for i, c in enumerate(self.chars)}

    @property
    def size(self):
        """V, the number of distinct characters."""
        return len(self.chars)

    def __len__(self):
        return self.size

    def encode(self, text):
        """str of length L -> int64 ids (L,)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, got {type(text).__name__}")
        try:
            return np.array([self.index[c] for c in text], dtype=np.int64)
        except KeyError as err:
            char = err.args[0]
            raise ValueError(
                f"character {char!r} (at position {text.index(char)}) is not in the vocabulary "
                f"of {self.size} characters") from None

    def _checked_ids(self, ids):
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iu":
            raise TypeError(f"ids must be integers, got dtype {ids.dtype}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.size):
            raise ValueError(f"ids must lie in [0, {self.size - 1}], got {ids.min()}..{ids.max()}")
        return ids

    def decode(self, ids):
        """ids (any shape, read in order) -> str."""
        return "".join(self.chars[i] for i in self._checked_ids(ids).ravel())

    def one_hot(self, ids):
        """ids (...) -> float64 (..., V) with a single 1 per id."""
        return np.eye(self.size)[self._checked_ids(ids)]

    def __repr__(self):
        return f"CharVocab(size={self.size}, chars={self.chars!r})"


def char_dataset(text=None, seq_len=50, n_samples=None, vocab=None, seed=0):
    """Next-character prediction windows.

    Parameters
    ----------
    text : str, optional
        Defaults to ``load_text('shakespeare')``.
    seq_len : int
        T, characters per window.
    n_samples : int, optional
        ``None``: consecutive, non-overlapping windows covering the text in
        order (``seed`` unused). An int: that many windows at random starts.
    vocab : CharVocab, optional
        Defaults to the vocabulary of ``text``; pass one to encode a second
        text with the same ids.

    Returns
    -------
    Dataset, many-to-many, cross-entropy
        x (T, N, V) one-hot of characters ``s .. s+T-1``; y (T, N) int64 ids
        of characters ``s+1 .. s+T``. ``meta``: ``vocab``, ``n_classes = V``,
        ``input_ids`` (T, N), ``start`` (N,), ``uniform_loss = log V`` and
        ``baseline_loss``, the mean cross-entropy (nats) of the best guess
        from the current character alone (bigram statistics of this data).
    """
    text = load_text() if text is None else text
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    seq_len = check_int(seq_len, "seq_len", low=1)
    if len(text) < seq_len + 1:
        raise ValueError(f"text has {len(text)} characters, needs at least seq_len + 1 = {seq_len + 1}")
    vocab = CharVocab(text) if vocab is None else vocab
    if not isinstance(vocab, CharVocab):
        raise TypeError(f"vocab must be a CharVocab, got {type(vocab).__name__}")
    ids = vocab.encode(text)
    last_start = len(ids) - seq_len - 1
    if n_samples is None:
        start = np.arange(0, last_start + 1, seq_len)
    else:
        n_samples = check_int(n_samples, "n_samples", low=1)
        start = check_seed(seed).integers(0, last_start + 1, n_samples)
    rows = start[None, :] + np.arange(seq_len)[:, None]             # (T, N) positions
    x_ids, y = ids[rows], ids[rows + 1]
    return Dataset(
        name="text", x=vocab.one_hot(x_ids), y=y, pattern="many-to-many", loss="cross-entropy",
        description=f"Read text one character at a time and predict the next character "
                    f"({vocab.size} possible characters).",
        meta={"vocab": vocab, "n_classes": vocab.size, "input_ids": x_ids, "start": start,
              "uniform_loss": float(np.log(vocab.size)),
              "baseline_loss": _bigram_entropy(x_ids, y, vocab.size),
              "per_sample": {"input_ids": 1, "start": 0}})


def _bigram_entropy(x_ids, y_ids, size):
    """Mean -log p(next | current) with p estimated from these very pairs."""
    counts = np.zeros((size, size))
    np.add.at(counts, (x_ids.ravel(), y_ids.ravel()), 1.0)
    p = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    used = counts > 0
    return float(-(counts[used] * np.log(p[used])).sum() / counts.sum())


def perplexity_from_loss(mean_cross_entropy_nats):
    """``exp(loss)``: the number of equally likely characters the model is,
    on average, choosing between. A uniform guess over V has perplexity V."""
    loss = check_float(mean_cross_entropy_nats, "mean_cross_entropy_nats", low=0.0)
    return float(np.exp(loss))


def apply_temperature(logits, temperature=1.0):
    """Softmax of ``logits / temperature`` over the last axis.

    Temperature below 1 sharpens the distribution (towards the most likely
    character), above 1 flattens it (towards uniform).

    Parameters
    ----------
    logits : array (..., V)
    temperature : float > 0

    Returns
    -------
    ndarray, float64, (..., V); each row sums to 1.
    """
    temperature = check_float(temperature, "temperature", low=0.0, low_open=True)
    z = as_array(logits, "logits")
    if z.ndim < 1 or z.shape[-1] < 1:
        raise ValueError(f"logits must have shape (..., V) with V >= 1, got {z.shape}")
    z = z / temperature
    z = z - z.max(axis=-1, keepdims=True)  # exp never overflows; the result is unchanged
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def sample(model, vocab, prime="", length=200, temperature=1.0, seed=0):
    """Generate ``length`` characters from a character-level model.

    The model reads ``prime`` (if any) one character at a time, then draws
    each next character from ``softmax(logits / temperature)`` and feeds it
    back in. Low temperatures pick the likeliest characters (repetitive);
    high ones are more varied and make more mistakes. Same seed, same text.

    ``model`` must be a many-to-many, cross-entropy :class:`rnnlab.SequenceModel`
    with ``input_size == output_size == vocab.size``.
    """
    length = check_int(length, "length", low=0)
    temperature = check_float(temperature, "temperature", low=0.0, low_open=True)
    rng = check_seed(seed)
    if not isinstance(prime, str):
        raise TypeError(f"prime must be a string, got {type(prime).__name__}")
    if model.pattern != "many-to-many" or model.loss_name != "cross-entropy":
        raise ValueError("sampling needs a many-to-many model trained with cross-entropy, "
                         f"got pattern={model.pattern}, loss={model.loss_name}")
    if model.rnn.bidirectional:
        raise ValueError("sampling runs forward one character at a time; a bidirectional model "
                         "also reads the future, which does not exist yet. Use bidirectional=False.")
    if model.input_size != vocab.size or model.output_size != vocab.size:
        raise ValueError(f"the model has input_size={model.input_size}, output_size="
                         f"{model.output_size} but the vocabulary has {vocab.size} characters")
    ids = list(vocab.encode(prime)) if prime else [int(rng.integers(vocab.size))]
    state = None
    x = vocab.one_hot(np.array(ids))[:, None, :]  # (P, 1, V)
    logits, state = model.predict(x, h0=state, return_state=True, logits=True)
    last = logits[-1, 0]
    out = []
    for _ in range(length):
        p = apply_temperature(last, temperature)
        nxt = int(rng.choice(vocab.size, p=p))
        out.append(nxt)
        logits, state = model.predict(vocab.one_hot(np.array([nxt]))[:, None, :], h0=state,
                                      return_state=True, logits=True)
        last = logits[-1, 0]
    return vocab.decode(np.array(out, dtype=np.int64))


def perplexity(model, data):
    """Perplexity ``exp(mean cross-entropy)`` of a model on a character Dataset.

    1 would be a perfect model; ``vocab.size`` is what uniform guessing gives.
    """
    return perplexity_from_loss(model.loss(data.x, data.y))
