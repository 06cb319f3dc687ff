"""Importing a program's network from CSV, XLSX, GEXF or GraphML files."""
