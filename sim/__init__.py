"""What-if simulation over sc_improve event logs (SimPy). Headless: never imports Qt."""
