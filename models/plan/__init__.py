"""The Perjanjian Kinerja: indicators, their targets, and the periods they are measured in."""
