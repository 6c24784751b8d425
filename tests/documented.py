"""The message types as mido's documentation lists them: an oracle for tests.

Written out by hand, independently of livemidi's own spec table, so that a
mistake in livemidi/messages/specs.py cannot hide itself.
"""

# Every integer attribute's inclusive range.
RANGES = {
    "channel": (0, 15),
    "note": (0, 127),
    "velocity": (0, 127),
    "control": (0, 127),
    "value": (0, 127),
    "program": (0, 127),
    "song": (0, 127),
    "pitch": (-8192, 8191),
    "pos": (0, 16383),
    "frame_type": (0, 7),
    "frame_value": (0, 15),
}

# Every type's attributes (besides type and time), in documented order.
ATTRIBUTES = {
    "note_off": ("channel", "note", "velocity"),
    "note_on": ("channel", "note", "velocity"),
    "polytouch": ("channel", "note", "value"),
    "control_change": ("channel", "control", "value"),
    "program_change": ("channel", "program"),
    "aftertouch": ("channel", "value"),
    "pitchwheel": ("channel", "pitch"),
    "sysex": ("data",),
    "quarter_frame": ("frame_type", "frame_value"),
    "songpos": ("pos",),
    "song_select": ("song",),
    "tune_request": (),
    "clock": (),
    "start": (),
    "continue": (),
    "stop": (),
    "active_sensing": (),
    "reset": (),
}

# The system real-time messages of MIDI 1.0.
REALTIME = {"clock", "start", "continue", "stop", "active_sensing", "reset"}
