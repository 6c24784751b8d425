# Euclidean polyrhythms: three drums spreading 3, 5 and 7 hits as evenly as
# they can over 8, 8 and 16 steps, the 7 rotated so the downbeats differ.
tempo(110)

p.low = note("c2(3,8)").ch(9).velocity(110)
p.rim = note("c#2(5,8)").ch(9).velocity(80)
p.shaker = note("a#3(7,16,2)").ch(9).velocity("80 50")
