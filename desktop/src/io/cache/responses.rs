//! The cached answers (one row per [`CacheKey`] and [`ResponseKind`]: the body, its ETag, when it was downloaded and
//! when the server last confirmed it) and the last user who signed in to each server.
//!
//! Owns: the `responses` and `last_sessions` tables. Must not touch: anything else.

use super::{CacheError, CacheKey, LocalStore, instant, millis};
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

/// Which answer a row holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// Every well of the tenant (`GET /api/v1/wells`, all pages).
    Wells,
    /// `GET /api/v1/dashboard/kpis`.
    Kpis,
    /// Every open alarm (`GET /api/v1/alarms?state=…`, all pages).
    OpenAlarms,
    /// Every oil trend (`GET /api/v1/trends?field=oil_bbl&sort=change`, all pages), for the oil-change drill-down.
    OilTrends,
}

impl ResponseKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Wells => "wells",
            Self::Kpis => "kpis",
            Self::OpenAlarms => "open_alarms",
            Self::OilTrends => "oil_trends",
        }
    }
}

/// One cached answer.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedResponse {
    pub etag: Option<String>,
    /// When the body was downloaded.
    pub fetched_at: DateTime<Utc>,
    /// When the server last confirmed it (a 200 or a 304).
    pub checked_at: DateTime<Utc>,
    pub body: String,
}

/// The last user who signed in to a server.
#[derive(Debug, Clone, PartialEq)]
pub struct LastSession {
    pub tenant: String,
    pub username: String,
    /// The role as the wire spells it (JSON).
    pub role: String,
    pub signed_in_at: DateTime<Utc>,
}

impl LocalStore {
    /// Keeps `body` as the answer of `kind` for `key`, downloaded at `at`.
    pub fn put_response(
        &self,
        key: &CacheKey,
        kind: ResponseKind,
        etag: Option<&str>,
        body: &str,
        at: DateTime<Utc>,
    ) -> Result<(), CacheError> {
        self.conn.execute(
            "INSERT INTO responses (server, tenant, username, kind, etag, fetched_at, checked_at, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)
             ON CONFLICT (server, tenant, username, kind)
             DO UPDATE SET etag = excluded.etag, fetched_at = excluded.fetched_at, checked_at = excluded.checked_at,
                           body = excluded.body",
            rusqlite::params![key.server, key.tenant, key.username, kind.as_str(), etag, millis(at), body],
        )?;
        Ok(())
    }

    /// The server confirmed the cached answer at `at` (a 304); false when there is none.
    pub fn confirm_response(&self, key: &CacheKey, kind: ResponseKind, at: DateTime<Utc>) -> Result<bool, CacheError> {
        let changed = self.conn.execute(
            "UPDATE responses SET checked_at = ?5 WHERE server = ?1 AND tenant = ?2 AND username = ?3 AND kind = ?4",
            rusqlite::params![key.server, key.tenant, key.username, kind.as_str(), millis(at)],
        )?;
        Ok(changed > 0)
    }

    pub fn response(&self, key: &CacheKey, kind: ResponseKind) -> Result<Option<CachedResponse>, CacheError> {
        let row = self
            .conn
            .query_row(
                "SELECT etag, fetched_at, checked_at, body FROM responses
                 WHERE server = ?1 AND tenant = ?2 AND username = ?3 AND kind = ?4",
                rusqlite::params![key.server, key.tenant, key.username, kind.as_str()],
                |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(etag, fetched, checked, body)| {
            Ok(CachedResponse { etag, fetched_at: instant(fetched)?, checked_at: instant(checked)?, body })
        })
        .transpose()
    }

    /// Remembers who signed in to `key.server` last.
    pub fn remember_session(&self, key: &CacheKey, role: &str, at: DateTime<Utc>) -> Result<(), CacheError> {
        self.conn.execute(
            "INSERT INTO last_sessions (server, tenant, username, role, signed_in_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (server) DO UPDATE SET tenant = excluded.tenant, username = excluded.username,
                                                role = excluded.role, signed_in_at = excluded.signed_in_at",
            rusqlite::params![key.server, key.tenant, key.username, role, millis(at)],
        )?;
        Ok(())
    }

    pub fn last_session(&self, server: &str) -> Result<Option<LastSession>, CacheError> {
        let row = self
            .conn
            .query_row(
                "SELECT tenant, username, role, signed_in_at FROM last_sessions WHERE server = ?1",
                [server],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?)),
            )
            .optional()?;
        row.map(|(tenant, username, role, at)| Ok(LastSession { tenant, username, role, signed_in_at: instant(at)? }))
            .transpose()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::format::utc;

    fn key(server: &str, tenant: &str, username: &str) -> CacheKey {
        CacheKey { server: server.into(), tenant: tenant.into(), username: username.into() }
    }

    #[test]
    fn put_then_get_keeps_the_etag_and_the_times_and_a_304_moves_only_the_check() {
        let store = LocalStore::in_memory().unwrap();
        let k = key("http://ops:8080", "alpha", "ops");
        let at = utc(2025, 3, 14, 11, 42, 7).unwrap();
        assert_eq!(store.response(&k, ResponseKind::Kpis).unwrap(), None);
        store.put_response(&k, ResponseKind::Kpis, Some("\"abc\""), r#"{"x":1}"#, at).unwrap();
        let cached = store.response(&k, ResponseKind::Kpis).unwrap().unwrap();
        assert_eq!(
            cached,
            CachedResponse { etag: Some("\"abc\"".into()), fetched_at: at, checked_at: at, body: r#"{"x":1}"#.into() }
        );
        let later = at + chrono::TimeDelta::minutes(1);
        assert!(store.confirm_response(&k, ResponseKind::Kpis, later).unwrap());
        let cached = store.response(&k, ResponseKind::Kpis).unwrap().unwrap();
        assert_eq!((cached.fetched_at, cached.checked_at), (at, later));
        // A new body replaces the old one.
        store.put_response(&k, ResponseKind::Kpis, None, r#"{"x":2}"#, later).unwrap();
        let cached = store.response(&k, ResponseKind::Kpis).unwrap().unwrap();
        assert_eq!((cached.etag, cached.body.as_str()), (None, r#"{"x":2}"#));
        assert!(!store.confirm_response(&k, ResponseKind::Wells, later).unwrap(), "nothing to confirm");
    }

    #[test]
    fn keys_separate_users_tenants_and_servers() {
        let store = LocalStore::in_memory().unwrap();
        let at = utc(2025, 3, 14, 12, 0, 0).unwrap();
        let keys = [
            key("http://a:1", "alpha", "ops"),
            key("http://a:1", "alpha", "other"),
            key("http://a:1", "beta", "ops"),
            key("http://b:1", "alpha", "ops"),
        ];
        for (n, k) in keys.iter().enumerate() {
            store.put_response(k, ResponseKind::Wells, None, &n.to_string(), at).unwrap();
        }
        for (n, k) in keys.iter().enumerate() {
            assert_eq!(store.response(k, ResponseKind::Wells).unwrap().unwrap().body, n.to_string());
            assert_eq!(store.response(k, ResponseKind::OpenAlarms).unwrap(), None, "kinds are separate too");
        }
    }

    #[test]
    fn the_last_session_is_per_server_and_replaced_by_the_next_sign_in() {
        let store = LocalStore::in_memory().unwrap();
        let at = utc(2025, 3, 14, 12, 0, 0).unwrap();
        assert_eq!(store.last_session("http://a:1").unwrap(), None);
        store.remember_session(&key("http://a:1", "alpha", "ops"), "\"operator\"", at).unwrap();
        store.remember_session(&key("http://b:1", "beta", "admin"), "\"admin\"", at).unwrap();
        store.remember_session(&key("http://a:1", "alpha", "night"), "\"viewer\"", at).unwrap();
        let last = store.last_session("http://a:1").unwrap().unwrap();
        assert_eq!(
            (last.tenant.as_str(), last.username.as_str(), last.role.as_str()),
            ("alpha", "night", "\"viewer\"")
        );
        assert_eq!(store.last_session("http://b:1").unwrap().unwrap().username, "admin");
    }
}
