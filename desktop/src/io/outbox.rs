//! The outbox's sending side: every alarm action (acknowledge, acknowledge all, shelve) is queued in the cache
//! first, then sent in order with `Idempotency-Key: <uuid v4 chosen when it was queued>`, and removed only once the
//! server answered. A network error keeps the item (and stops the flush, so the order holds); a 401 keeps it until
//! the user signs in again; a 409 or a 404 (the alarm changed meanwhile) and any other refusal remove it with a
//! message that says which alarm and what the server said.
//!
//! Owns: the requests with the key, the rule "removed only after an answer", the wording of the outcome.
//! Must not touch: egui, the model; it reports through the [`EventSink`].

use super::cache::{CacheKey, QueuedItem, SharedStore};
use super::client::{ApiClient, ClientError};
use super::sink::EventSink;
use crate::protocol::{Event, PendingAction, QueuedAction};
use chrono::Utc;
use flowline_shared::dto::alarms::{
    AcknowledgeAllRequest, AcknowledgeAllResponse, AcknowledgeRequest, AlarmView, ShelveRequest,
};
use reqwest::Method;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// The header that makes a repeated action harmless on the server.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// What the server did with one action.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    /// Acknowledged or shelved: the alarm as it is now.
    Alarm(Box<AlarmView>),
    /// Acknowledge-all: how many.
    Acknowledged(u64),
}

/// How a flush ended.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlushReport {
    /// Actions the server accepted.
    pub sent: usize,
    /// Actions the server refused (removed, with a message).
    pub refused: usize,
    /// An acknowledge-all was accepted (the open alarms must be reloaded).
    pub acknowledged_all: bool,
    /// The flush stopped at a network error (the user's text); the rest waits.
    pub unreachable: Option<String>,
    /// The flush stopped at a 401; the rest waits for a new sign-in.
    pub unauthorized: bool,
}

impl ApiClient {
    /// Sends one queued action with its idempotency key.
    pub async fn send_queued(&self, token: &str, action: &QueuedAction, key: Uuid) -> Result<Sent, ClientError> {
        match action {
            QueuedAction::Acknowledge { id, comment } => {
                let body = AcknowledgeRequest { comment: comment.clone() };
                let path = format!("/api/v1/alarms/{id}/acknowledge");
                self.post_once(&path, token, key, &body).await.map(|v| Sent::Alarm(Box::new(v)))
            }
            QueuedAction::AcknowledgeAll { filter, comment } => {
                let body = AcknowledgeAllRequest { filter: filter.clone(), comment: comment.clone() };
                let answer: AcknowledgeAllResponse =
                    self.post_once("/api/v1/alarms/acknowledge", token, key, &body).await?;
                Ok(Sent::Acknowledged(answer.acknowledged))
            }
            QueuedAction::Shelve { id, until, reason } => {
                let body = ShelveRequest { reason: reason.clone(), until: *until };
                let path = format!("/api/v1/alarms/{id}/shelve");
                self.post_once(&path, token, key, &body).await.map(|v| Sent::Alarm(Box::new(v)))
            }
        }
    }

    async fn post_once<T: DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
        key: Uuid,
        body: &impl serde::Serialize,
    ) -> Result<T, ClientError> {
        let url = format!("{}{path}", self.base_url());
        let response = self
            .http()
            .request(Method::POST, &url)
            .bearer_auth(token)
            .header(IDEMPOTENCY_KEY, key.to_string())
            .json(body)
            .send()
            .await
            .map_err(|e| self.transport_error(&url, &e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| self.transport_error(&url, &e))?;
        super::client::decode(&url, status, &bytes)
    }
}

/// The pending actions of `owner`, for the model.
pub async fn pending(store: &SharedStore, owner: &CacheKey) -> Vec<PendingAction> {
    let owner = owner.clone();
    match store.run(move |s| s.queued(&owner)).await {
        Ok(items) => items.into_iter().map(pending_action).collect(),
        Err(error) => {
            tracing::error!(%error, "the outbox could not be read");
            Vec::new()
        }
    }
}

fn pending_action(item: QueuedItem) -> PendingAction {
    PendingAction { key: item.key, action: item.action, label: item.label, queued_at: item.queued_at }
}

/// Sends `owner`'s queued actions in order until one meets no server or a refused token; reports each answer
/// (`AlarmActed`, `AlarmsAcknowledged`, `ActionFailed`) and then the outbox as it is (`OutboxChanged`).
pub async fn flush(
    store: &SharedStore,
    client: &ApiClient,
    token: &str,
    owner: &CacheKey,
    sink: &EventSink,
) -> FlushReport {
    let mut report = FlushReport::default();
    let owned = owner.clone();
    let items = match store.run(move |s| s.queued(&owned)).await {
        Ok(items) => items,
        Err(error) => {
            tracing::error!(%error, "the outbox could not be read");
            return report;
        }
    };
    if items.is_empty() {
        return report;
    }
    for item in items {
        let result = client.send_queued(token, &item.action, item.key).await;
        match result {
            Err(error) if error.is_transient() || error.is_unauthorized() => {
                let text = error.user_message();
                let id = item.id;
                let kept = text.clone();
                if let Err(e) = store.run(move |s| s.attempt_failed(id, &kept)).await {
                    tracing::error!(error = %e, "the outbox could not record a failed attempt");
                }
                if error.is_unauthorized() {
                    report.unauthorized = true;
                } else {
                    if !item.deferred {
                        let message = format!("{} of {}: {}", item.action.noun(), item.label, queued_text());
                        sink.send(Event::ActionQueued { message, at: Utc::now() });
                    }
                    report.unreachable = Some(text);
                }
                break;
            }
            answered => {
                let id = item.id;
                if let Err(error) = store.run(move |s| s.dequeue(id)).await {
                    // The server has it; with the same key a second attempt is harmless.
                    tracing::error!(%error, "the outbox could not remove an answered action");
                }
                match answered {
                    Ok(sent) => {
                        report.sent += 1;
                        report_sent(sink, &item, sent, &mut report);
                    }
                    Err(error) => {
                        report.refused += 1;
                        tracing::info!(%error, label = %item.label, "queued alarm action refused");
                        sink.send(Event::ActionFailed { message: refusal(&item, &error), at: Utc::now() });
                    }
                }
            }
        }
    }
    sink.send(Event::OutboxChanged { pending: pending(store, owner).await });
    report
}

/// "pending, will be sent when the connection returns".
pub fn queued_text() -> &'static str {
    "pending, will be sent when the connection returns"
}

fn report_sent(sink: &EventSink, item: &QueuedItem, sent: Sent, report: &mut FlushReport) {
    let at = Utc::now();
    match sent {
        Sent::Alarm(view) => {
            let done = match &item.action {
                QueuedAction::Shelve { until, .. } => {
                    let hours = (*until - item.queued_at).num_minutes().saturating_add(30) / 60;
                    format!("Shelved for {hours} h")
                }
                _ => "Acknowledged".to_owned(),
            };
            let message = format!("{done}: {} · {}", view.well_name, view.alarm.rule.label());
            sink.send(Event::AlarmActed { alarm: view, message, at });
        }
        Sent::Acknowledged(count) => {
            report.acknowledged_all = true;
            sink.send(Event::AlarmsAcknowledged { count, at });
        }
    }
}

/// The message for an action the server refused.
fn refusal(item: &QueuedItem, error: &ClientError) -> String {
    let said = error.user_message();
    let changed = matches!(error.status(), Some(404 | 409));
    match (&item.action, item.deferred) {
        (QueuedAction::AcknowledgeAll { .. }, true) => format!("Acknowledge-all taken offline was refused: {said}"),
        (_, true) if changed => format!("Alarm {} changed while you were offline: {said}", item.label),
        (_, true) => format!("{} of {} taken offline was refused: {said}", item.action.noun(), item.label),
        (QueuedAction::Acknowledge { .. }, false) => format!("Acknowledging the alarm failed: {said}"),
        (QueuedAction::AcknowledgeAll { .. }, false) => format!("Acknowledging the alarms failed: {said}"),
        (QueuedAction::Shelve { .. }, false) => format!("Shelving the alarm failed: {said}"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use flowline_shared::alarms::AlarmId;

    fn item(deferred: bool) -> QueuedItem {
        QueuedItem {
            id: 1,
            key: Uuid::new_v4(),
            action: QueuedAction::Acknowledge { id: AlarmId(Uuid::nil()), comment: None },
            label: "Midland 2 · Well down".into(),
            queued_at: Utc::now(),
            deferred,
            attempts: 0,
        }
    }

    fn api(status: u16, message: &str) -> ClientError {
        ClientError::Api { status, code: "conflict".into(), message: message.into(), details: serde_json::Value::Null }
    }

    #[test]
    fn a_conflict_on_an_action_taken_offline_names_the_alarm_and_the_servers_words() {
        assert_eq!(
            refusal(&item(true), &api(409, "the alarm is already acknowledged")),
            "Alarm Midland 2 · Well down changed while you were offline: the alarm is already acknowledged"
        );
        assert_eq!(
            refusal(&item(true), &api(404, "no such alarm")),
            "Alarm Midland 2 · Well down changed while you were offline: no such alarm"
        );
        assert_eq!(
            refusal(&item(false), &api(409, "the alarm is already acknowledged")),
            "Acknowledging the alarm failed: the alarm is already acknowledged",
            "online, the message stays as before"
        );
    }
}
