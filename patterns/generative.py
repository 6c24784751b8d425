# Generative but repeatable: notes picked at random from a pentatonic scale,
# some dropped, some doubled, velocities wandering. Randomness is seeded by the
# cycle, so the same bar always sounds the same; change `seed` for another piece.
tempo(100)
seed = 3

degrees = segment(8, irand(10, seed=seed))
melody = note(scale("minor_pentatonic", degrees, root="a3")).degrade_by(0.3, seed=seed)
p.melody = melody.sometimes(lambda pat: pat.ply(2), seed=seed + 1).velocity(segment(8, perlin.range(50, 110))).ch(5)
p.drone = note("a1").duration(4).velocity(60).ch(6).slow(4)
