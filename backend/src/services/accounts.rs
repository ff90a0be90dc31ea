//! Tenant and user administration (CLI `tenant add`, `user add`, and the demo seeding).

use super::Deps;
use super::auth::{AuthError, hash_password};
use crate::ports::{NewTenant, NewUser, StorageError};
use flowline_shared::{Role, Tenant, TenantSlug, User, Username};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Invalid(String),
    #[error("tenant {0} does not exist")]
    UnknownTenant(String),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[derive(Clone)]
pub struct AccountService {
    deps: Deps,
}

impl AccountService {
    pub fn new(deps: Deps) -> Self {
        Self { deps }
    }

    pub async fn create_tenant(&self, slug: &str, name: &str, time_zone: &str) -> Result<Tenant, AccountError> {
        let slug = TenantSlug::parse(slug).map_err(AccountError::Invalid)?;
        let time_zone = time_zone.parse().map_err(|_| {
            AccountError::Invalid(format!("unknown time zone {time_zone:?} (use an IANA name such as America/Chicago)"))
        })?;
        let name = if name.trim().is_empty() { slug.to_string() } else { name.trim().to_owned() };
        Ok(self.deps.storage.create_tenant(&NewTenant { slug, name, time_zone }).await?)
    }

    pub async fn create_user(
        &self,
        tenant: &str,
        username: &str,
        password: &str,
        role: Role,
    ) -> Result<User, AccountError> {
        let slug = TenantSlug::parse(tenant).map_err(AccountError::Invalid)?;
        let username = Username::parse(username).map_err(AccountError::Invalid)?;
        let tenant = self
            .deps
            .storage
            .tenant_by_slug(&slug)
            .await?
            .ok_or_else(|| AccountError::UnknownTenant(slug.to_string()))?;
        let password = password.to_owned();
        let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| AccountError::Invalid(format!("hashing task failed: {e}")))??;
        Ok(self.deps.storage.create_user(&NewUser { tenant_id: tenant.id, username, password_hash, role }).await?)
    }
}
