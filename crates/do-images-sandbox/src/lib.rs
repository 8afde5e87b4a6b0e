//! A local simulation of the DigitalOcean Images API (being built).
