"""Excel and CSV in: the Perjanjian Kinerja and realisasi imports, with their row problems."""
