//! HTTP (placeholder).
