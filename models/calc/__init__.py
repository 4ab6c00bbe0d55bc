"""Pure arithmetic of the SOP, no database: capaian, Indonesian numbers and dates, working time."""
