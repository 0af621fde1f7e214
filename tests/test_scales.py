"""Drawing scales read from notes, converted to feet per PDF point."""

from __future__ import annotations

import pytest

from plansite.parsing.scales import parse_scales

# feet per point for a scale of N paper inches per real foot: 1 / (72 N)


@pytest.mark.parametrize(
    ("text", "feet_per_point"),
    [
        ('SCALE: 1/4" = 1\'-0"', 1 / 18),
        ("1/8\u201d = 1\u2019-0\u201d", 1 / 9),
        ('3/16"=1\'0"', 1 / 13.5),
        ('1 1/2" = 1\'-0"', 1 / 108),
        ('1" = 20\'', 20 / 72),
        ("1:50", 50 / 72 * 25.4 / 304.8),
        ("SCALE 1:100 @ A1", 100 / 72 * 25.4 / 304.8),
    ],
)
def test_numeric_scales(text: str, feet_per_point: float) -> None:
    scales = [s for s in parse_scales(text) if s.feet_per_unit]

    assert len(scales) == 1
    assert scales[0].feet_per_unit == pytest.approx(feet_per_point, rel=1e-6)


def test_not_to_scale_is_a_scale_without_a_factor() -> None:
    assert [(s.label, s.feet_per_unit) for s in parse_scales("DETAIL 3  NTS")] == [("NTS", None)]


@pytest.mark.parametrize(
    "text",
    [
        "N.T.S. = NOT TO SCALE",
        "three quarters inch = one foot",
        "SEE DETAIL 1/4 ON A-501",
    ],
)
def test_texts_that_are_not_drawing_scales(text: str) -> None:
    assert [s for s in parse_scales(text) if s.feet_per_unit and s.feet_per_unit > 0.01] == []
