"""The layout box and how far a layout may move people: the numbers every layout step keeps to."""

from __future__ import annotations

import math

BOX = 1000.0
# Exact forces cost n² per iteration: ~2.7 s for 1,500 nodes at 500 iterations.
EXACT_MAX = 1500
# Largest per-axis move of a person who was on the previous map, as a
# fraction of the box width; the Euclidean bound is this times √2.
STABLE_STEP = 0.03
MAX_DISPLACEMENT = STABLE_STEP * 2 * BOX * math.sqrt(2)

# Grid FR runs at this node spacing (igraph units) when following a round.
GRID_SPACING = 0.1
COMPONENT_GAP = 1.5  # units (typical node spacing) between packed components
RING_GAP = 2.0  # units between the components and the first isolate ring
RING_SPACING = 1.2  # units between neighbouring isolates on a ring
