# Two outputs at once: drums to one port, a synth line to another.
# Run it with two ports, e.g.
#   livemidi run patterns/multi_port.py --virtual drums --virtual synth
#   livemidi render patterns/multi_port.py --bars 4 -o out.mid     (a track for each port)
# A port is named by its name, a unique part of it, or its index.
tempo(118)

p.drums = note("c2 [~ c2] d2 ~").ch(9).port("drums")
p.lead = note("<e4 g4> ~ [a4 b4] ~").ch(0).port("synth").legato(0.8)
