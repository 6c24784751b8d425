# Four on the floor: kick on every beat, snare on two and four, 16th hats with
# accents and an open hat on the off-beat. General MIDI drums on channel 10
# (channel=9 counting from 0): 36 kick, 38 snare, 42 closed hat, 46 open hat.
tempo(124)

p.kick = note("c2*4").ch(9).velocity(110)
p.snare = note("~ d2 ~ d2").ch(9).velocity(100)
p.hats = note("[~ f#2]*4").ch(9).velocity("90 70 100 70")
p.open = note("~ ~ ~ [~ bb2]").ch(9).velocity(80)
