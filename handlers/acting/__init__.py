"""Acting officials (Plt/Plh): /plt names one, lists them and ends one early."""
