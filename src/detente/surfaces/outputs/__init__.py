"""Output writers shared by the surfaces: big results streamed as JSON, Parquet or CSV."""
