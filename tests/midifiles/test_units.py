import pytest

from livemidi import bpm2tempo, second2tick, tempo2bpm, tick2second
from livemidi.midifiles import units


def test_tick2second():
    assert tick2second(480, 480, 500000) == pytest.approx(0.5)
    assert tick2second(0, 480, 500000) == 0
    assert tick2second(960, 480, 1000000) == pytest.approx(2.0)


def test_second2tick_rounds_to_the_nearest_tick():
    assert second2tick(0.5, 480, 500000) == 480
    assert second2tick(0.5006, 480, 500000) == 481
    assert isinstance(second2tick(1.0, 480, 500000), int)


def test_bpm2tempo_and_back():
    assert bpm2tempo(120) == 500000
    assert bpm2tempo(120, (6, 8)) == 1000000
    assert bpm2tempo(140) == 428571
    assert tempo2bpm(500000) == 120
    assert tempo2bpm(1000000, (6, 8)) == 120
    assert tempo2bpm(bpm2tempo(93)) == pytest.approx(93, rel=1e-5)


def test_mido_paths():
    assert units.tick2second is tick2second
