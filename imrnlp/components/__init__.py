"""imrnlp's custom pipeline components, one per file."""
