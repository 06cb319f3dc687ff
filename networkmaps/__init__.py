"""What is computed and shown: metric runs, maps, posters, weaving suggestions and exports."""
