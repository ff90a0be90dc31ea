//! Wells (placeholder).
