"""The Propaganda Techniques Corpus: its file layout, the SI/TC/FLC scorers, calibration and the PTC tasks."""
