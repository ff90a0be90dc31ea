//! Adapters (placeholder).
