# A CC filter sweep: a chord stab pattern, with cutoff (CC 74) following a slow
# sine over four bars and resonance (CC 71) a sawtooth, sent as 16 steps a bar.
tempo(120)

p.stabs = note("[c3, eb3, g3] ~ ~ [c3, eb3, g3] ~ ~ [bb2, d3, f3] ~").ch(4).legato(0.5)
p.cutoff = cc(74, segment(16, sine.slow(4).range(20, 110))).ch(4)
p.resonance = cc(71, segment(16, saw.range(10, 90))).ch(4)
