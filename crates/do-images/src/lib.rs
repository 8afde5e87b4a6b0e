//! DigitalOcean Images API client (being built).
