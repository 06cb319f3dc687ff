"""Files for analysts and other tools (GEXF, GraphML, Kumu, CSV) and the round report."""
