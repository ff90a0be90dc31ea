//! Tenants and users on SQLite.

use super::SqliteStorage;
use super::rows::{self, TENANT_COLUMNS, classify, ms, unavailable};
use crate::ports::{
    NewTenant, NewUser, StorageError, StorageResult, TenantRepository, UserCredentials, UserRepository,
};
use async_trait::async_trait;
use flowline_shared::{Tenant, TenantId, TenantSlug, User, UserId, Username};
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

#[async_trait]
impl TenantRepository for SqliteStorage {
    async fn create_tenant(&self, tenant: &NewTenant) -> StorageResult<Tenant> {
        let created = Tenant {
            id: TenantId(Uuid::new_v4()),
            slug: tenant.slug.clone(),
            name: tenant.name.clone(),
            time_zone: tenant.time_zone,
            created_at: rows::now_ms(),
        };
        let t = created.clone();
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO tenants (id, slug, name, time_zone, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![t.id.0, t.slug.as_str(), t.name, t.time_zone.name(), ms(t.created_at)],
            )
            .map_err(|e| classify(e, &format!("tenant {} exists", t.slug)))?;
            Ok(())
        })
        .await?;
        Ok(created)
    }

    async fn tenant_by_slug(&self, slug: &TenantSlug) -> StorageResult<Option<Tenant>> {
        let slug = slug.as_str().to_owned();
        self.read(move |conn| {
            conn.query_row(&format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE slug = ?1"), [slug], rows::tenant)
                .optional()
                .map_err(unavailable)
        })
        .await
    }

    async fn tenant_by_id(&self, id: TenantId) -> StorageResult<Option<Tenant>> {
        self.read(move |conn| {
            conn.query_row(&format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE id = ?1"), [id.0], rows::tenant)
                .optional()
                .map_err(unavailable)
        })
        .await
    }

    async fn list_tenants(&self) -> StorageResult<Vec<Tenant>> {
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!("SELECT {TENANT_COLUMNS} FROM tenants ORDER BY slug"))
                .map_err(unavailable)?;
            stmt.query_map([], rows::tenant).map_err(unavailable)?.collect::<Result<Vec<_>, _>>().map_err(unavailable)
        })
        .await
    }
}

#[async_trait]
impl UserRepository for SqliteStorage {
    async fn create_user(&self, user: &NewUser) -> StorageResult<User> {
        let u = user.clone();
        let id = UserId(Uuid::new_v4());
        self.write(move |conn| {
            let tenant_exists: bool = conn
                .query_row("SELECT EXISTS (SELECT 1 FROM tenants WHERE id = ?1)", [u.tenant_id.0], |r| r.get(0))
                .map_err(unavailable)?;
            if !tenant_exists {
                return Err(StorageError::NotFound(format!("tenant {}", u.tenant_id.0)));
            }
            conn.execute(
                "INSERT INTO users (id, tenant_id, username, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id.0, u.tenant_id.0, u.username.as_str(), u.password_hash, u.role.as_str(), ms(chrono::Utc::now())],
            )
            .map_err(|e| classify(e, &format!("user {} exists in this tenant", u.username)))?;
            Ok(User { id, tenant_id: u.tenant_id, username: u.username, role: u.role })
        })
        .await
    }

    async fn user_credentials(&self, tenant: TenantId, username: &Username) -> StorageResult<Option<UserCredentials>> {
        let name = username.clone();
        self.read(move |conn| {
            conn.query_row(
                "SELECT id, role, password_hash FROM users WHERE tenant_id = ?1 AND username = ?2",
                params![tenant.0, name.as_str()],
                |row| {
                    Ok(UserCredentials {
                        user: User {
                            id: UserId(row.get(0)?),
                            tenant_id: tenant,
                            username: name.clone(),
                            role: rows::parsed(row, 1)?,
                        },
                        password_hash: row.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(unavailable)
        })
        .await
    }
}
