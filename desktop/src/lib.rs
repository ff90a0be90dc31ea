//! Flowline's desktop client: an egui control-room app over the backend's HTTP API.
//!
//! Owns: the UI (`app`, `views`, `theme`), the plain [`model::Model`] the UI draws, the [`protocol`] between the
//! UI thread and the I/O thread, and the I/O thread itself (`io`), whose [`io::client::ApiClient`] is public so
//! that the workspace's end-to-end tests drive the server with the same code as the app.
//!
//! Data flows one way each: `io` sends [`protocol::Event`]s, the app applies them to the `Model` once per frame,
//! views draw the `Model` and push [`protocol::Command`]s, the app sends them to `io` once per frame.
//! Must not touch: the network, tokio or the backend crate outside `io`; views never block.

pub mod app;
pub mod format;
pub mod io;
pub mod model;
pub mod protocol;
pub mod rates;
pub mod theme;
pub mod views;

pub use io::client::{ApiClient, ClientError};
