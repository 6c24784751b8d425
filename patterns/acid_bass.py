# An acid bass line: sixteenths in C minor with accents, slides as long notes,
# and a different last bar every fourth bar.
tempo(132)

line = note("c2 c2 c3 c2 eb2 c2 [g2 c2] bb1").fast(2)
accents = velocity("127 70 90 70 120 70 90 110")
p.acid = (line | accents).legato("0.5 0.5 1 0.5 0.9 0.5 0.5 1").every(4, lambda pat: pat.rev()).ch(1)
