//! Operator requests with a client's idempotency key (`Idempotency-Key`), so that a request retried after a lost
//! answer (the desktop's offline outbox, a flaky link) is applied once.
//!
//! The key is stored with the journal records of the change it produced, in the same transaction
//! ([`crate::ports::AlarmChange::request_key`]), so there is no window in which the change is stored and its key is
//! not. A request whose key already has records is answered from the present state without being applied again,
//! provided the records are of the same operation by the same user (on the same alarm); otherwise the key was reused
//! for another request, which is refused. A duplicate that races the first (both find no records) fails the
//! alarm's state check (already acknowledged, already shelved) and is then answered as a repeat. An acknowledge-all
//! that acknowledged nothing stores no record, so its repeat runs again (and acknowledges what is unacknowledged
//! now).
//!
//! Owns: the key's syntax and the repeat check. Must not touch: HTTP (the route reads the header).

use super::{AlarmService, AlarmServiceError};
use flowline_shared::alarms::{AlarmAction, AlarmId, AlarmTransition};
use flowline_shared::{TenantId, UserId};
use std::collections::HashSet;

/// The longest key, in characters (UUIDs are 36).
pub const MAX_REQUEST_KEY_CHARS: usize = 200;

/// A client's idempotency key: 1 to [`MAX_REQUEST_KEY_CHARS`] visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKey(String);

impl RequestKey {
    /// # Errors
    /// Why the key is not acceptable.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.is_empty() || raw.len() > MAX_REQUEST_KEY_CHARS {
            return Err(format!("must be 1 to {MAX_REQUEST_KEY_CHARS} characters"));
        }
        if !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("must be visible ASCII characters (a UUID, for example)".to_owned());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An operator request's answer, and whether it repeats an earlier request with the same key (nothing was applied).
#[derive(Debug, Clone, PartialEq)]
pub struct Answered<T> {
    pub value: T,
    pub replayed: bool,
}

impl<T> Answered<T> {
    pub(super) fn fresh(value: T) -> Self {
        Self { value, replayed: false }
    }
}

/// The request a key's records must come from to be repeated.
pub(super) struct Expected {
    pub action: AlarmAction,
    pub by: UserId,
    /// The one alarm of the request; `None` for acknowledge-all.
    pub alarm: Option<AlarmId>,
}

impl AlarmService {
    /// The alarms an earlier request with `key` changed, if it had the `expected` shape; `None` when the key has no
    /// records; `Rejected`-like `KeyReused` when the records are of another request.
    pub(super) async fn earlier_request(
        &self,
        tenant: TenantId,
        key: Option<&RequestKey>,
        expected: &Expected,
    ) -> Result<Option<HashSet<AlarmId>>, AlarmServiceError> {
        let Some(key) = key else { return Ok(None) };
        let records = self.deps.storage.alarm_request(tenant, key.as_str()).await?;
        if records.is_empty() {
            return Ok(None);
        }
        if records.iter().all(|r| same_request(r, expected)) {
            Ok(Some(records.iter().map(|r| r.alarm_id).collect()))
        } else {
            Err(AlarmServiceError::KeyReused(format!(
                "the Idempotency-Key {:?} was already used for another request; send a new key for a new request",
                key.as_str()
            )))
        }
    }
}

fn same_request(record: &AlarmTransition, expected: &Expected) -> bool {
    record.action == expected.action
        && record.by == Some(expected.by)
        && expected.alarm.is_none_or(|alarm| record.alarm_id == alarm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_one_to_two_hundred_visible_ascii_characters() {
        assert!(RequestKey::parse("0b6f3c1e-2a4d-4f7e-9a51-7c1d2e3f4a5b").is_ok());
        assert_eq!(RequestKey::parse("k").map(|k| k.as_str().to_owned()), Ok("k".to_owned()));
        assert!(RequestKey::parse(&"x".repeat(MAX_REQUEST_KEY_CHARS)).is_ok());
        assert!(RequestKey::parse(&"x".repeat(MAX_REQUEST_KEY_CHARS + 1)).is_err());
        assert!(RequestKey::parse("").is_err());
        assert!(RequestKey::parse("has space").is_err());
        assert!(RequestKey::parse("ünïcode").is_err());
    }
}
