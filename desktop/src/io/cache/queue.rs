//! The outbox table: alarm actions in the order they were taken, each with the idempotency key chosen when it was
//! queued, kept until the server answered. Written at once (one statement, committed), so nothing typed offline is
//! lost when the app closes.
//!
//! Owns: the `outbox` table. Must not touch: the network; deciding when an item may go is `io::outbox`'s job.

use super::{CacheError, CacheKey, LocalStore, instant, millis};
use crate::protocol::QueuedAction;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// One queued action.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedItem {
    pub id: i64,
    /// Sent as `Idempotency-Key` with every attempt.
    pub key: Uuid,
    pub action: QueuedAction,
    /// The alarm's well and rule, for messages.
    pub label: String,
    pub queued_at: DateTime<Utc>,
    /// The action could not be sent at once (it was taken offline, or its first attempt met no server).
    pub deferred: bool,
    pub attempts: u32,
}

type Row = (i64, String, String, String, i64, bool, u32);

impl LocalStore {
    /// Appends an action for `owner`; returns its row id.
    pub fn enqueue(
        &self,
        owner: &CacheKey,
        key: Uuid,
        action: &QueuedAction,
        label: &str,
        at: DateTime<Utc>,
        deferred: bool,
    ) -> Result<i64, CacheError> {
        let json = serde_json::to_string(action).map_err(|e| CacheError::Corrupt(e.to_string()))?;
        self.conn.execute(
            "INSERT INTO outbox (server, tenant, username, idempotency_key, action, label, queued_at, deferred)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            rusqlite::params![
                owner.server,
                owner.tenant,
                owner.username,
                key.to_string(),
                json,
                label,
                millis(at),
                deferred
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// `owner`'s actions, oldest first.
    pub fn queued(&self, owner: &CacheKey) -> Result<Vec<QueuedItem>, CacheError> {
        let mut statement = self.conn.prepare(
            "SELECT id, idempotency_key, action, label, queued_at, deferred, attempts FROM outbox
             WHERE server = ?1 AND tenant = ?2 AND username = ?3 ORDER BY id",
        )?;
        let rows = statement
            .query_map(rusqlite::params![owner.server, owner.tenant, owner.username], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
            })?
            .collect::<Result<Vec<Row>, _>>()?;
        rows.into_iter().map(item).collect()
    }

    /// An attempt met no server (or a refused token): the item stays, marked deferred.
    pub fn attempt_failed(&self, id: i64, error: &str) -> Result<(), CacheError> {
        self.conn.execute(
            "UPDATE outbox SET deferred = 1, attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
            rusqlite::params![id, error],
        )?;
        Ok(())
    }

    /// The server answered: the item leaves. False when it was not there.
    pub fn dequeue(&self, id: i64) -> Result<bool, CacheError> {
        Ok(self.conn.execute("DELETE FROM outbox WHERE id = ?1", [id])? > 0)
    }
}

fn item((id, key, action, label, queued_at, deferred, attempts): Row) -> Result<QueuedItem, CacheError> {
    Ok(QueuedItem {
        id,
        key: Uuid::parse_str(&key).map_err(|e| CacheError::Corrupt(format!("idempotency key {key:?}: {e}")))?,
        action: serde_json::from_str(&action).map_err(|e| CacheError::Corrupt(format!("queued action: {e}")))?,
        label,
        queued_at: instant(queued_at)?,
        deferred,
        attempts,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::format::utc;
    use crate::io::cache::FILE_NAME;
    use flowline_shared::alarms::AlarmId;
    use flowline_shared::dto::alarms::AlarmSelection;

    fn owner(username: &str) -> CacheKey {
        CacheKey { server: "http://ops:8080".into(), tenant: "alpha".into(), username: username.into() }
    }

    fn ack(n: u128, comment: &str) -> QueuedAction {
        QueuedAction::Acknowledge { id: AlarmId(Uuid::from_u128(n)), comment: Some(comment.into()) }
    }

    #[test]
    fn queued_actions_survive_a_reopen_in_order_and_leave_only_when_answered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let at = utc(2025, 3, 14, 12, 0, 0).unwrap();
        let keys: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
        let actions = [
            ack(1, "crew called"),
            QueuedAction::Shelve {
                id: AlarmId(Uuid::from_u128(2)),
                until: at + chrono::TimeDelta::hours(4),
                reason: "pump change".into(),
            },
            QueuedAction::AcknowledgeAll { filter: AlarmSelection::default(), comment: None },
        ];
        {
            let store = LocalStore::open(&path).unwrap();
            for (key, action) in keys.iter().zip(&actions) {
                store.enqueue(&owner("ops"), *key, action, "Midland 2 · Well down", at, true).unwrap();
            }
            store.enqueue(&owner("someone-else"), Uuid::new_v4(), &ack(9, "x"), "x", at, false).unwrap();
        } // The app closes.
        let store = LocalStore::open(&path).unwrap();
        let items = store.queued(&owner("ops")).unwrap();
        assert_eq!(items.iter().map(|i| i.key).collect::<Vec<_>>(), keys, "the order is kept, with the keys");
        assert_eq!(items.iter().map(|i| i.action.clone()).collect::<Vec<_>>(), actions);
        assert!(items.iter().all(|i| i.deferred && i.attempts == 0 && i.queued_at == at));

        // A network error keeps the item; only an answer removes it.
        store.attempt_failed(items[0].id, "connection refused").unwrap();
        let again = store.queued(&owner("ops")).unwrap();
        assert_eq!((again.len(), again[0].attempts), (3, 1));
        assert!(store.dequeue(items[0].id).unwrap());
        assert!(!store.dequeue(items[0].id).unwrap(), "gone once");
        let left: Vec<Uuid> = store.queued(&owner("ops")).unwrap().iter().map(|i| i.key).collect();
        assert_eq!(left, keys[1..]);
        assert_eq!(store.queued(&owner("someone-else")).unwrap().len(), 1, "another user's actions are apart");
    }

    #[test]
    fn an_idempotency_key_is_queued_once() {
        let store = LocalStore::in_memory().unwrap();
        let at = utc(2025, 3, 14, 12, 0, 0).unwrap();
        let key = Uuid::new_v4();
        store.enqueue(&owner("ops"), key, &ack(1, "a"), "A", at, false).unwrap();
        assert!(store.enqueue(&owner("ops"), key, &ack(1, "a"), "A", at, false).is_err());
    }
}
