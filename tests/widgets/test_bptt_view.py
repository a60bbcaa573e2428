"""The BPTT view driven from code: stepping matches the core's backward pass, truncation
is marked where rnnlab.bptt cuts, fidelity and cost curves."""
import numpy as np
import pytest

from rnnlab.widgets import bptt_view as bv
from rnnlab.widgets.bptt_view import BPTTView, window_starts


@pytest.fixture(scope="module")
def view():
    return BPTTView(T=10, k=4)


def full_norms(model, x, y):
    _, _, dh = model.loss_and_grads(x, y, return_dh=True)
    return np.sqrt((dh["layer0"] ** 2).sum(axis=(1, 2)))


@pytest.mark.parametrize("pattern", ["many-to-one", "many-to-many"])
def test_stepping_to_the_end_gives_the_cores_gradients(view, pattern):
    view.set(T=12, k=5, pattern=pattern, seed=1)
    view.run_to_end()  # the same one-step backward as Step back, drawn once at the end
    np.testing.assert_allclose(view.dh_norms, full_norms(view.model, view.x, view.y),
                               rtol=1e-12, atol=1e-15)
    _, grads = view.model.loss_and_grads(view.x, view.y)
    for name in ("w_x", "w_h", "b_h"):  # the weight gradients summed over the steps, too
        np.testing.assert_allclose(view.grads[name], grads[name], rtol=1e-12, atol=1e-15)


def test_each_step_reaches_one_more_state(view):
    view.set(T=8, k=3, pattern="many-to-one", seed=0)
    want = full_norms(view.model, view.x, view.y)
    assert view.position == 9 and np.all(np.isnan(view.dh_norms))
    for t in range(8, 0, -1):
        assert view.step_back() is True
        assert view.position == t
        reached = view.dh_norms
        assert np.all(np.isnan(reached[: t - 1]))
        np.testing.assert_allclose(reached[t - 1 :], want[t - 1 :], rtol=1e-12)
    assert view.done
    assert view.step_back() is False and "complete" in view.message.value


def test_buttons_step_run_and_reset(view):
    view.set(T=10, k=4, pattern="many-to-one", seed=0)
    png = view.canvas.png()
    view.buttons["step"].click()
    assert view.position == 10 and view.canvas.png() != png
    view.buttons["run"].click()
    assert view.position == 1 and np.all(np.isfinite(view.dh_norms))
    assert "Done" in view.status.value
    view.buttons["reset"].click()
    assert view.position == 11 and np.all(np.isnan(view.dh_norms))
    assert all(np.all(g == 0) for g in view.grads.values())
    assert view.errors == []


def test_truncation_is_marked_where_the_core_cuts(view):
    view.set(T=10, k=4, pattern="many-to-one", seed=0)
    assert window_starts(10, 4) == [1, 5, 9]  # rnnlab.bptt: windows [0,4) [4,8) [8,10)
    assert view.window_start == 9
    view.step_back()
    assert "stops here" not in view.status.value
    view.step_back()  # reached h_9, the first step of the last window
    assert view.position == 9
    assert "Truncated BPTT(4) stops here: the gradient from step 10 does not flow further back" \
        in view.status.value
    view.step_back()
    assert "never computes this" in view.status.value
    faces = view._nodes.get_facecolors()
    grey = np.array([0xc8, 0xc8, 0xc8]) / 255
    np.testing.assert_allclose(faces[7, :3], grey)  # h_8 reached but beyond the window
    png = view.canvas.png()
    view.controls["k"].value = 10  # k = T: nothing is cut
    assert view.window_start == 1 and "never computes" not in view.status.value
    assert view.canvas.png() != png and view.position == 8  # the pass keeps its place


def test_fidelity_is_exact_at_k_equal_T_and_not_at_k_1(view):
    view.set(T=12, k=3, pattern="many-to-one", seed=0)
    f = view.fidelity
    np.testing.assert_array_equal(f["k"], np.arange(1, 13))
    assert f["cosine"][-1] == pytest.approx(1.0, abs=1e-12)
    assert f["relative_error"][-1] == pytest.approx(0.0, abs=1e-12)
    assert f["relative_error"][0] > 0
    assert f["cosine"][0] < 1


def test_k_moves_the_marks_and_T_bounds_k(view):
    view.set(T=10, k=4, pattern="many-to-many", seed=0)
    png = view.plot_canvas.png()
    view.controls["k"].value = 2
    assert view.plot_canvas.png() != png
    assert "k = 2:" in view.plot_readout.value
    assert view._fid_k.get_xdata()[0] == 2
    view.controls["T"].value = 6
    assert view.controls["k"].max == 6 and view.k <= 6
    assert view.dh.shape == (6, view.batch_size, view.hidden_size)
    assert view.position == 7


def test_update_cost_grows_with_k(view):
    view.set(T=20, k=5, pattern="many-to-one", seed=0)
    cost = view.cost
    assert cost.shape == (20,) and np.all(cost > 0)
    assert cost[-1] > cost[0]
    assert view.cost_fit["per_step_ms"] > 0
    # measured once per size: a new seed reuses it
    view.set(seed=4)
    assert view.cost is cost


def test_bad_settings_raise_from_code_and_are_caught_in_handlers(view, monkeypatch):
    with pytest.raises(ValueError, match="k"):
        view.set(T=8, k=9)
    with pytest.raises(ValueError, match="pattern"):
        BPTTView(pattern="one-to-many")
    view.set(T=8, k=3, pattern="many-to-one", seed=0)

    def broken(*args, **kwargs):
        raise RuntimeError("no fidelity today")

    monkeypatch.setattr(bv, "truncation_fidelity", broken)
    n = len(view.errors)
    view.controls["seed"].value = 2  # must not raise
    assert len(view.errors) == n + 1 and "no fidelity today" in view.message.value
