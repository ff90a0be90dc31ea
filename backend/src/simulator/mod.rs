//! Fleet simulator (placeholder: being written).
