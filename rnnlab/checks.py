"""Checks a learner can run on any model: gradients by central differences,
and the truncated gradient's fidelity to the true one.
"""
from __future__ import annotations

import numpy as np

from .bptt import truncated_grads, truncation_fidelity
from .gradcheck import check_gradients
from .model import SequenceModel, check_model


def _float64_copy(model):
    cfg = model.config()
    cfg["dtype"] = "float64"
    cfg.pop("seed", None)
    clone = SequenceModel(**cfg)
    clone.set_params({k: v.astype(np.float64) for k, v in model.params.items()})
    return clone


def check_model_gradients(model, x, y, bptt="full", h0=None, eps=1e-5, tol=1e-7,
                          keys=None, max_entries=None, seed=0):
    """Compare the model's analytic gradient with central differences, per parameter.

    Runs in float64 on a copy of the model (the model itself is not touched).
    Only ``bptt="full"`` is accepted: truncation changes the gradient but not
    the loss, so finite differences of the loss have nothing truncated to
    compare with. :func:`rnnlab.truncation_fidelity` measures how far
    truncation moves the gradient instead.

    Returns a :class:`rnnlab.gradcheck.GradCheckResult`; ``print`` it for a
    table of relative errors.
    """
    check_model(model)
    if bptt != "full":
        raise ValueError("gradient checks compare with the full BPTT gradient; use "
                         "truncation_fidelity(model, x, y, ks) to measure a truncated one")
    clone = _float64_copy(model)
    batch = clone.prepare(x, y, h0)
    # the check perturbs these very arrays (float64, so in place), which are the clone's weights
    params = dict(clone.params)
    return check_gradients(lambda _: clone.loss_and_grads(batch), params, eps=eps, tol=tol,
                           keys=keys, max_entries=max_entries, seed=seed)


__all__ = ["check_model_gradients", "truncated_grads", "truncation_fidelity"]
