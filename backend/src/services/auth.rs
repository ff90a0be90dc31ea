//! Authentication: argon2 password hashes, HS256 JWTs with expiry, and the principal a token stands for.
//!
//! Tokens are checked against the injected clock (not the system clock) so that expiry is testable.

use super::Deps;
use crate::ports::StorageError;
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration};
use flowline_shared::dto::{LoginRequest, LoginResponse};
use flowline_shared::{Role, TenantId, TenantSlug, UserId, Username};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Secrets that must never protect a real deployment (shipped in examples or commonly guessed).
pub const KNOWN_WEAK_SECRETS: &[&str] =
    &["secret", "changeme", "change-me", "flowline", "flowline-dev-secret", "jwt-secret", "password", "development"];
/// Shortest secret accepted outside demo mode (HS256 wants at least 256 bits of key).
pub const MIN_SECRET_BYTES: usize = 32;
pub const MIN_PASSWORD_CHARS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("unknown tenant, username or password")]
    InvalidCredentials,
    #[error("invalid token: {0}")]
    InvalidToken(String),
    #[error("token expired")]
    Expired,
    #[error("password must be at least {MIN_PASSWORD_CHARS} characters")]
    WeakPassword,
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why a JWT secret is unacceptable outside demo mode, or `None` if it is fine.
pub fn weak_secret_reason(secret: &str) -> Option<String> {
    if KNOWN_WEAK_SECRETS.iter().any(|w| w.eq_ignore_ascii_case(secret.trim())) {
        return Some("FLOWLINE_JWT_SECRET is a well-known default value".into());
    }
    if secret.len() < MIN_SECRET_BYTES {
        return Some(format!("FLOWLINE_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes long"));
    }
    None
}

/// Who is calling: decoded from a valid token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub tenant_id: TenantId,
    pub tenant: String,
    pub username: String,
    pub role: Role,
    /// When the token stops being valid (long-lived connections check it again).
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    tid: Uuid,
    tenant: String,
    username: String,
    role: Role,
    iat: i64,
    exp: i64,
}

#[derive(Clone)]
pub struct AuthService {
    deps: Deps,
    encoding: EncodingKey,
    decoding: DecodingKey,
    token_ttl: Duration,
    /// A real hash verified when the user does not exist, so that both paths take the same time.
    dummy_hash: String,
}

impl AuthService {
    pub fn new(deps: Deps, secret: &[u8], token_ttl: Duration) -> Result<Self, AuthError> {
        Ok(Self {
            deps,
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            token_ttl,
            dummy_hash: hash_password("flowline-timing-equaliser")?,
        })
    }

    /// Checks the credentials and issues a token. Unknown tenant, unknown user and wrong password give the same
    /// error, so that a caller cannot probe which tenants or users exist.
    pub async fn login(&self, request: LoginRequest) -> Result<LoginResponse, AuthError> {
        let tenant = match TenantSlug::parse(&request.tenant) {
            Ok(slug) => self.deps.storage.tenant_by_slug(&slug).await?,
            Err(_) => None,
        };
        let credentials = match (&tenant, Username::parse(&request.username)) {
            (Some(t), Ok(name)) => self.deps.storage.user_credentials(t.id, &name).await?,
            _ => None,
        };
        let hash = credentials.as_ref().map_or_else(|| self.dummy_hash.clone(), |c| c.password_hash.clone());
        let password = request.password;
        let verified = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .map_err(|e| AuthError::Hashing(e.to_string()))?;
        let (Some(tenant), Some(credentials), true) = (tenant, credentials, verified) else {
            return Err(AuthError::InvalidCredentials);
        };
        let now = self.deps.clock.now();
        let expires_at = now + self.token_ttl;
        let claims = Claims {
            sub: credentials.user.id.0,
            tid: tenant.id.0,
            tenant: tenant.slug.to_string(),
            username: credentials.user.username.to_string(),
            role: credentials.user.role,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let token = self.issue(&claims)?;
        Ok(LoginResponse {
            token,
            expires_at: DateTime::from_timestamp(claims.exp, 0).unwrap_or(expires_at),
            tenant: claims.tenant,
            username: claims.username,
            role: claims.role,
        })
    }

    fn issue(&self, claims: &Claims) -> Result<String, AuthError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| AuthError::InvalidToken(e.to_string()))
    }

    /// Decodes and checks a bearer token: HS256 only (so `alg: none` and RS/HS confusion fail), signature, and
    /// expiry against the injected clock.
    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false; // checked below against the injected clock
        validation.required_spec_claims = ["exp", "sub"].iter().map(|s| (*s).to_owned()).collect();
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|e| AuthError::InvalidToken(e.to_string()))?;
        let claims = data.claims;
        if claims.exp <= self.deps.clock.now().timestamp() {
            return Err(AuthError::Expired);
        }
        let expires_at = chrono::DateTime::from_timestamp(claims.exp, 0).ok_or(AuthError::Expired)?;
        Ok(Principal {
            user_id: UserId(claims.sub),
            tenant_id: TenantId(claims.tid),
            tenant: claims.tenant,
            username: claims.username,
            role: claims.role,
            expires_at,
        })
    }
}

/// Argon2id with the crate's default (OWASP-recommended) parameters, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::WeakPassword);
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hashing(e.to_string()))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_secrets_are_named() {
        assert!(weak_secret_reason("secret").is_some());
        assert!(weak_secret_reason("ChangeMe").is_some());
        assert!(weak_secret_reason("short-but-unique").is_some());
        assert!(weak_secret_reason("k3J9-very-long-random-secret-value-0123456789").is_none());
    }

    #[test]
    fn password_hash_round_trip() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse!", &hash));
        assert!(!verify_password("x", "not a phc string"));
        assert!(matches!(hash_password("short"), Err(AuthError::WeakPassword)));
    }
}
