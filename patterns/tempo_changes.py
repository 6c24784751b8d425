# Tempo changes: start slow, speed up at bar 3, double time at bar 5. The
# position never jumps, so the loops stay on their bar lines.
tempo(90)
tempo(120, at=2)
tempo(180, at=4)

p.pulse = note("c4*4").velocity("110 60 60 60").ch(7)
p.bar = note("c2").ch(7)
