"""One module per file format: each takes an ExportData and yields the file's bytes in chunks."""
