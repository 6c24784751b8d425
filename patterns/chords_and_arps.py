# Chords from a scale and arpeggios over them: a minor ii-v-i that changes
# every bar, held pads on channel 3, and an up-down arpeggio an octave above.
tempo(96)

p.pad = chord("<min7 min7 maj7 dom7>", "<d3 g3 c3 a3>").legato(0.9).velocity(70).ch(2)
p.arp = note(arp("updown", "<d4'min7 g4'min7 c4'maj7 a4'dom7>").fast(2)).velocity("90 60").ch(3)
p.bass = note(scale("dorian", "<0 3 -3 2>", root="d2")).ch(1)
