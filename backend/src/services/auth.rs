//! Auth (placeholder).
