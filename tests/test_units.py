"""Unit helpers, and the documents' own conversions checked against them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.data.tables import load
from helpers.data.units import (
    agrees_within_rounding,
    convert_concentration,
    from_hours,
    mg_l_to_ng_ml,
    ng_ml_to_mg_l,
    ng_ml_to_um,
    to_hours,
    um_to_ng_ml,
)


def test_ketamine_molar_conversion():
    assert ng_ml_to_um(237.73) == pytest.approx(1.0)
    assert ng_ml_to_um(100) == pytest.approx(0.42065, abs=1e-5)
    assert um_to_ng_ml(11) == pytest.approx(2615.03)
    assert mg_l_to_ng_ml(0.5) == 500 and ng_ml_to_mg_l(5000) == 5
    assert convert_concentration(1, "uM", "nM") == pytest.approx(1000)


def test_vectorised():
    out = ng_ml_to_um(np.array([70.0, 200.0]))
    assert out.round(2).tolist() == [0.29, 0.84]


def test_time_units():
    assert to_hours(45, "min") == 0.75
    assert to_hours(7, "d") == 168 and to_hours(2, "wk") == 336
    assert to_hours(1, "yr") == 8766 and to_hours(3, "mo") == pytest.approx(2191.5)
    assert from_hours(36, "d") == 1.5


def test_unknown_units_name_choices():
    with pytest.raises(ValueError, match="unknown time unit 'fortnight'; choose one of: min, h, d"):
        to_hours(1, "fortnight")
    with pytest.raises(ValueError, match="unknown concentration unit 'mg/dL'.*ng/mL"):
        convert_concentration(1, "mg/dL", "uM")


@given(
    st.floats(min_value=1e-6, max_value=1e6),
    st.sampled_from(["ng/mL", "mg/L", "uM", "nM"]),
    st.sampled_from(["ng/mL", "mg/L", "uM", "nM"]),
)
def test_round_trip(value, a, b):
    assert math.isclose(convert_concentration(convert_concentration(value, a, b), b, a), value, rel_tol=1e-9)


@given(st.floats(min_value=0, max_value=1e5), st.sampled_from(["min", "h", "d", "wk", "mo", "yr"]))
def test_hours_round_trip(value, unit):
    assert math.isclose(from_hours(to_hours(value, unit), unit), value, rel_tol=1e-9, abs_tol=1e-9)


def test_rounding_tolerance_reading():
    assert agrees_within_rounding(1.0516, "1.1")  # 250 ng/mL
    assert agrees_within_rounding(10.937, "11")  # 2,600 ng/mL
    assert not agrees_within_rounding(0.50, "0.42")


def test_documents_own_conversions_agree_or_are_flagged():
    """Every stated conversion in the PK table is recomputed; the row's flag says what the arithmetic says."""
    pk = load("pharmacokinetics")
    stated = pk[pk["stated_alt_unit"].notna()]
    assert len(stated) >= 5  # 100-250, 70-200, 70-160, 2,600 and 1,000 ng/mL
    for row in stated.itertuples():
        for value, alt in ((row.value_low, row.stated_alt_low), (row.value_high, row.stated_alt_high)):
            computed = convert_concentration(value, row.unit, row.stated_alt_unit)
            ok = agrees_within_rounding(computed, f"{alt:g}")
            assert ok == (row.conversion_check == "agrees"), (row.id, value, computed, alt)
    landmarks = {(r.value_low, r.value_high): (r.stated_alt_low, r.stated_alt_high) for r in stated.itertuples()}
    assert landmarks[(100.0, 250.0)] == (0.42, 1.1)
    assert landmarks[(2600.0, 2600.0)] == (11.0, 11.0)
