//! Simulation orchestration (placeholder: being written).
