//! Tenants and users on PostgreSQL.

use super::PostgresStorage;
use super::rows::{self, TENANT_COLUMNS, classify, truncate_ms, unavailable};
use crate::ports::{
    NewTenant, NewUser, StorageError, StorageResult, TenantRepository, UserCredentials, UserRepository,
};
use async_trait::async_trait;
use flowline_shared::{Tenant, TenantId, TenantSlug, User, UserId, Username};
use uuid::Uuid;

#[async_trait]
impl TenantRepository for PostgresStorage {
    async fn create_tenant(&self, tenant: &NewTenant) -> StorageResult<Tenant> {
        let created = Tenant {
            id: TenantId(Uuid::new_v4()),
            slug: tenant.slug.clone(),
            name: tenant.name.clone(),
            time_zone: tenant.time_zone,
            created_at: truncate_ms(chrono::Utc::now()),
        };
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO tenants (id, slug, name, time_zone, created_at) VALUES ($1, $2, $3, $4, $5)",
                &[&created.id.0, &created.slug.as_str(), &created.name, &created.time_zone.name(), &created.created_at],
            )
            .await
            .map_err(|e| classify(e, &format!("tenant {} exists", created.slug)))?;
        Ok(created)
    }

    async fn tenant_by_slug(&self, slug: &TenantSlug) -> StorageResult<Option<Tenant>> {
        let client = self.client().await?;
        let row = client
            .query_opt(&format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE slug = $1"), &[&slug.as_str()])
            .await
            .map_err(unavailable)?;
        row.as_ref().map(rows::tenant).transpose()
    }

    async fn tenant_by_id(&self, id: TenantId) -> StorageResult<Option<Tenant>> {
        let client = self.client().await?;
        let row = client
            .query_opt(&format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE id = $1"), &[&id.0])
            .await
            .map_err(unavailable)?;
        row.as_ref().map(rows::tenant).transpose()
    }

    async fn list_tenants(&self) -> StorageResult<Vec<Tenant>> {
        let client = self.client().await?;
        let found = client
            .query(&format!("SELECT {TENANT_COLUMNS} FROM tenants ORDER BY slug"), &[])
            .await
            .map_err(unavailable)?;
        found.iter().map(rows::tenant).collect()
    }
}

#[async_trait]
impl UserRepository for PostgresStorage {
    async fn create_user(&self, user: &NewUser) -> StorageResult<User> {
        let client = self.client().await?;
        let tenant_exists = client
            .query_opt("SELECT 1 FROM tenants WHERE id = $1", &[&user.tenant_id.0])
            .await
            .map_err(unavailable)?
            .is_some();
        if !tenant_exists {
            return Err(StorageError::NotFound(format!("tenant {}", user.tenant_id.0)));
        }
        let id = UserId(Uuid::new_v4());
        client
            .execute(
                "INSERT INTO users (id, tenant_id, username, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5, now())",
                &[&id.0, &user.tenant_id.0, &user.username.as_str(), &user.password_hash, &user.role.as_str()],
            )
            .await
            .map_err(|e| classify(e, &format!("user {} exists in this tenant", user.username)))?;
        Ok(User { id, tenant_id: user.tenant_id, username: user.username.clone(), role: user.role })
    }

    async fn user_credentials(&self, tenant: TenantId, username: &Username) -> StorageResult<Option<UserCredentials>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT id, role, password_hash FROM users WHERE tenant_id = $1 AND username = $2",
                &[&tenant.0, &username.as_str()],
            )
            .await
            .map_err(unavailable)?;
        let Some(row) = row else { return Ok(None) };
        let role: String = rows::get(&row, 1)?;
        Ok(Some(UserCredentials {
            user: User {
                id: UserId(rows::get(&row, 0)?),
                tenant_id: tenant,
                username: username.clone(),
                role: role.parse().map_err(StorageError::Unavailable)?,
            },
            password_hash: rows::get(&row, 2)?,
        }))
    }
}
