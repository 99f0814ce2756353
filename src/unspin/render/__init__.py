"""Views of a Result: terminal, JSON, HTML and PTC label lines."""
