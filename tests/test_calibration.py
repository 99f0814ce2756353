"""Calibration maths on synthetic data where the right answer is known."""

import numpy as np

from unspin.ptc.calibrate import apply_calibration, ece, fit_calibration, fit_platt, reliability


def test_platt_recovers_identity():
    rng = np.random.default_rng(0)
    raw = rng.uniform(0.01, 0.99, 4000)
    y = (rng.uniform(size=4000) < raw).astype(float)
    a, b = fit_platt(raw, y)
    assert abs(a - 1) < 0.15 and abs(b) < 0.15


def test_technique_offsets_separate_techniques():
    rng = np.random.default_rng(1)
    n = 6000
    raw = rng.uniform(0.05, 0.95, n)
    techs = rng.choice(["Loaded_Language", "Slogans"], n).tolist()
    shift = np.where(np.array(techs) == "Loaded_Language", 1.0, -1.0)
    truth = 1 / (1 + np.exp(-(np.log(raw / (1 - raw)) + shift)))
    y = (rng.uniform(size=n) < truth).astype(float)
    params = fit_calibration(raw, y, techs)
    off = params["technique_offsets"]
    assert off["Loaded_Language"] > off["Slogans"] + 1.0
    conf = apply_calibration(raw, techs, params)
    assert ece(conf, y) < 0.03
    # one global Platt curve can be calibrated on average too, but it fits worse (log loss)
    plain = fit_platt(raw, y)
    x = np.log(raw / (1 - raw))
    flat = 1 / (1 + np.exp(-(plain[0] * x + plain[1])))

    def log_loss(p):
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    assert log_loss(conf) < log_loss(flat) - 0.05


def test_ece_and_reliability():
    conf = np.array([0.9, 0.9, 0.1, 0.1])
    y = np.array([1.0, 0.0, 0.0, 0.0])
    assert abs(ece(conf, y) - (0.5 * 0.4 + 0.5 * 0.1)) < 1e-9
    bins = reliability(conf, y)
    assert [b["n"] for b in bins] == [2, 2]
    assert ece(np.array([]), np.array([])) == 0.0
