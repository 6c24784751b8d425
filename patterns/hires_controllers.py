# Controllers beyond 7 bits: the pitch-bend range set at each bar by RPN 0 (2 semitones,
# first: loops play in the order they were started), then a lead whose synth takes a
# 14-bit mod wheel (CC 1 and 33), an NRPN for its filter (parameter 0x0120, as on many
# hardware synths) and key pressure on every note, sent right after its note-on.
tempo(120)

p.setup = rpn(0, 2 * 128).ch(2)
p.lead = (note("c4 [eb4 g4] bb4 <g4 c5>").ch(2).legato(0.75)
          .cc14(1, segment(4, sine.range(0, 16383)))
          .nrpn(0x0120, "<2000 6000 10000 16000>")
          .polytouch("40 [70 90] 60 100"))
