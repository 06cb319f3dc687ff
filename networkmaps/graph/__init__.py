"""Pure graph maths for one round's network (no Django): the tie merge (input), metrics,
layout, weaving suggestions, posters, the convening mixer and the small summaries."""
