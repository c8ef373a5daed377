//! Network protocol clients; only the engine uses them.

pub mod tls;
