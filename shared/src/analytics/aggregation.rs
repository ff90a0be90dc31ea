//! Aggregation (being written).
