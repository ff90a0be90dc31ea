//! Anomalies (being written).
