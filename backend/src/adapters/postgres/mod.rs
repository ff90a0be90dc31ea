//! PostgreSQL adapter: a deadpool of tokio-postgres connections. Batches go in as arrays (`UNNEST`), one round
//! trip per batch.

mod aggregates;
mod alarms;
mod analytics;
mod entries;
mod events;
mod maintenance;
mod migrations;
mod prices;
mod rows;
mod tenants;
mod wells;

use crate::ports::{Storage, StorageError, StorageResult};
use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

const POOL_SIZE: usize = 16;

/// The PostgreSQL implementation of every storage port.
#[derive(Clone)]
pub struct PostgresStorage {
    pool: Pool,
}

impl PostgresStorage {
    /// Builds the pool and checks that the server answers.
    pub async fn connect(url: &str) -> StorageResult<Self> {
        let config: tokio_postgres::Config =
            url.parse().map_err(|e| StorageError::Unavailable(format!("invalid PostgreSQL URL: {e}")))?;
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| StorageError::Unavailable(format!("cannot build PostgreSQL pool: {e}")))?;
        let storage = Self { pool };
        storage.ping().await?;
        Ok(storage)
    }

    async fn client(&self) -> StorageResult<Object> {
        self.pool.get().await.map_err(|e| StorageError::Unavailable(format!("PostgreSQL connection: {e}")))
    }
}

#[async_trait]
impl Storage for PostgresStorage {
    async fn migrate(&self) -> StorageResult<usize> {
        let mut client = self.client().await?;
        migrations::apply(&mut client).await
    }

    async fn ping(&self) -> StorageResult<()> {
        let client = self.client().await?;
        client.simple_query("SELECT 1").await.map_err(rows::unavailable)?;
        Ok(())
    }

    fn dialect(&self) -> &'static str {
        "postgres"
    }
}
