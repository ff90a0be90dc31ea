//! Trends (being written).
